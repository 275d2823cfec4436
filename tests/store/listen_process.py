"""A second process for the live-update tests: LISTENs on the store at argv[1] through
``StoreListener`` and prints "ready", then one line per burst of areas it hears (sorted, comma
separated), until stdin closes."""

import sys
import threading

from sqlalchemy import create_engine

from eventdesk.store.notify import StoreListener, listener_dsn


def main() -> None:
    lock = threading.Lock()

    def heard(areas) -> None:
        with lock:
            print(",".join(sorted(areas)), flush=True)

    listener = StoreListener(listener_dsn(create_engine(sys.argv[1])), heard)
    listener.start()
    if not listener.ready.wait(30):
        print("no connection", flush=True)
        sys.exit(1)
    print("ready", flush=True)
    sys.stdin.read()  # until the test closes our stdin
    listener.stop()


if __name__ == "__main__":
    main()
