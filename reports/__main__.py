"""python -m nnconf.reports RESULTS.json --out DIR: rebuild a report from a results document."""

import argparse
import sys

from . import load_results, write_report


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m nnconf.reports",
        description="Write DIR/report.html, DIR/results.json and the CSV tables from a results "
                    "document (or a bare JSON array of records).")
    parser.add_argument("results", help="results.json written by the conformance check")
    parser.add_argument("--out", required=True, metavar="DIR", help="output directory")
    args = parser.parse_args(argv)
    try:
        results = load_results(args.results)
    except (OSError, ValueError) as exc:      # json.JSONDecodeError is a ValueError
        print(f"python -m nnconf.reports: cannot read {args.results}: {exc}", file=sys.stderr)
        return 2
    print(write_report(results, args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
