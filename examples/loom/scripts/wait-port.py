# Wait until host:port accepts a connection (at most 10 s), so START returns only once the server answers.
import socket, sys, time

host, port = sys.argv[1], int(sys.argv[2])
deadline = time.monotonic() + 10
while True:
    try:
        socket.create_connection((host, port), timeout=1).close()
        break
    except OSError:
        if time.monotonic() > deadline:
            sys.exit(f"nothing answers on {host}:{port} after 10 s")
        time.sleep(0.1)
