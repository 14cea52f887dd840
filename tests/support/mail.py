"""A real SMTP server (aiosmtpd) on a free local port, and what it received."""

from __future__ import annotations

import email
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass
class Mailbox:
    """The messages a real local SMTP server received."""

    messages: list
    port: int = 0

    def subjects(self) -> list[str]:
        return [message["Subject"] for message in self.messages]

    def html(self, index: int = -1) -> str:
        message = self.messages[index]
        part = next(part for part in message.walk() if part.get_content_type() == "text/html")
        return part.get_payload(decode=True).decode()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def smtp_server() -> Iterator[Mailbox]:
    """Start an SMTP server on 127.0.0.1 that keeps every message; stop it afterwards."""
    from aiosmtpd.controller import Controller

    received = Mailbox([], free_port())

    class Collect:
        async def handle_DATA(self, server, session, envelope):
            received.messages.append(email.message_from_bytes(envelope.original_content))
            return "250 OK"

    controller = Controller(Collect(), hostname="127.0.0.1", port=received.port)
    controller.start()
    try:
        yield received
    finally:
        controller.stop()
