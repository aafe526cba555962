"""Attempts: reach the network: a TCP connection to the listener the test opened on 127.0.0.1
(its port read from ``listener.txt`` next to the target), a connection to the test's abstract
unix socket, a UDP datagram to the same port, a DNS lookup. Must: nothing arrives at the listeners
(the box has a network namespace of its own); the call fails (crash.exception, saying what failed)."""
SUITE = "activations"
FUNCTION = "sigmoid"
DIAGNOSIS = "crash.exception"

import os
import socket


def sigmoid(z):
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "listener.txt")) as handle:
        port, unix_name = handle.read().split()
    port = int(port)
    results = []
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as connection:
            connection.sendall(b"HOSTILE-SUCCEEDED tcp")
        results.append("HOSTILE-SUCCEEDED tcp")
    except OSError as exc:
        results.append(f"tcp: {exc}")
    try:
        with socket.socket(socket.AF_UNIX) as connection:
            connection.settimeout(2)
            connection.connect("\0" + unix_name)
            connection.sendall(b"HOSTILE-SUCCEEDED unix")
        results.append("HOSTILE-SUCCEEDED unix")
    except OSError as exc:
        results.append(f"unix: {exc}")
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as datagram:
            datagram.sendto(b"udp", ("127.0.0.1", port))
        results.append("udp sent (nothing listens for it)")
    except OSError as exc:
        results.append(f"udp: {exc}")
    try:
        results.append(f"dns: {socket.gethostbyname('example.com')}")
    except OSError as exc:
        results.append(f"dns: {exc}")
    raise ConnectionError("; ".join(results))
