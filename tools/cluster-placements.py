#!/usr/bin/env python3
"""Measures room placements per second through one node of a cluster (docs/CLUSTER.md).

usage: cluster-placements.py ADMIN_PORT ROOMS CLIENTS ADMIN_KEY

Each client is a thread with one keep-alive connection to 127.0.0.1:ADMIN_PORT creating rooms
with `POST /v1/rooms` one after another; prints the rate and how many rooms each node got.
"""
import http.client
import json
import sys
import threading
import time


def main():
    port, total, clients, key = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    per_node = {}
    lock = threading.Lock()
    failures = []

    def work(count):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for _ in range(count):
            connection.request("POST", "/v1/rooms", body="{}", headers={"Authorization": "Bearer " + key})
            response = connection.getresponse()
            body = response.read()
            if response.status != 201:
                failures.append((response.status, body))
                continue
            node = json.loads(body)["url"].split("/")[2]
            with lock:
                per_node[node] = per_node.get(node, 0) + 1

    start = time.monotonic()
    threads = [threading.Thread(target=work, args=(total // clients,)) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - start
    done = sum(per_node.values())
    print(f"{done} placements through :{port} with {clients} clients in {elapsed:.2f} s = {done / elapsed:.0f}/s; "
          f"per node {dict(sorted(per_node.items()))}; failures {len(failures)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
