# The example's web server: GET / says where it is and where its db is (the address CONFIGURE read
# from task.nodes). netns nodes reach the host, not each other (no forwarding), so it does not call the db.
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

host, port, db_host, db_port = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])

class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        body = f"web at {host}:{port}; its db is at {db_host}:{db_port}\n".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass

HTTPServer((host, port), Handler).serve_forever()
