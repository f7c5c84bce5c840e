# The example's "database": answers every TCP connection with one line and closes it.
import socket, sys

host, port = sys.argv[1], int(sys.argv[2])
server = socket.create_server((host, port), reuse_port=False)
while True:
    conn, _ = server.accept()
    with conn:
        conn.sendall(f"hello from db at {host}:{port}\n".encode())
