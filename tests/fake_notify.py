"""A local stand-in for GOV.UK Notify's API: records what it is sent and answers as
Notify does, including its errors (told to fail the next N calls with a status)."""

from __future__ import annotations

import json
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt

SERVICE_ID = "26785a09-ab16-4eb0-8407-a37497a57506"
SECRET = "3d844edf-8d35-48ac-975b-e847b4f122b0"
# A key of the shape Notify issues: name, service id, secret.
API_KEY = f"portal_test-{SERVICE_ID}-{SECRET}"

ERRORS = {
    400: ("ValidationError", "phone_number Not a UK mobile number"),
    403: ("AuthError", "Invalid token: API key not found"),
    429: (
        "RateLimitError",
        "Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds",
    ),
    500: ("Exception", "Internal server error"),
}


@dataclass
class FakeNotify:
    requests: list[dict[str, Any]] = field(default_factory=list)
    failures: list[int] = field(default_factory=list)
    answered: list[int] = field(default_factory=list)
    url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fail_next(self, status: int, times: int = 1) -> None:
        with self.lock:
            self.failures.extend([status] * times)

    def texts(self) -> list[dict[str, Any]]:
        return [r["json"] for r in self.requests if r["path"] == "/v2/notifications/sms"]

    def emails(self) -> list[dict[str, Any]]:
        return [r["json"] for r in self.requests if r["path"] == "/v2/notifications/email"]

    def answer(self, path: str, headers: dict[str, str], body: dict[str, Any]) -> tuple[int, dict]:
        token = headers.get("Authorization", "").removeprefix("Bearer ")
        claims = jwt.decode(token, SECRET, algorithms=["HS256"])  # signed with the key's secret
        assert claims["iss"] == SERVICE_ID
        with self.lock:
            self.requests.append({"path": path, "json": body})
            status = self.failures.pop(0) if self.failures else 201
            self.answered.append(status)
        if status != 201:
            error, message = ERRORS[status]
            return status, {
                "status_code": status,
                "errors": [{"error": error, "message": message}],
            }
        return 201, {"id": str(uuid.uuid4()), "reference": body.get("reference")}


def start() -> tuple[FakeNotify, ThreadingHTTPServer]:
    fake = FakeNotify()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            body = json.loads(self.rfile.read(length) or b"{}")
            status, answer = fake.answer(self.path, dict(self.headers), body)
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            pass  # quiet: pytest shows what a test asserts

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return fake, server
