"""A real SMTP server (aiosmtpd) on a free local port, and what it received."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from globalcart.dev.cluster import free_port


@dataclass
class Mailbox:
    """The messages a real local SMTP server received."""

    messages: list
    port: int = 0

    def subjects(self) -> list[str]:
        return [str(message["Subject"]).strip() for message in self.messages]

    def html(self, index: int = -1) -> str:
        return self.part(index, "text/html")

    def text(self, index: int = -1) -> str:
        return self.part(index, "text/plain")

    def part(self, index: int, content_type: str) -> str:
        message = self.messages[index]
        part = next(part for part in message.walk() if part.get_content_type() == content_type)
        return part.get_content()


@contextmanager
def smtp_server() -> Iterator[Mailbox]:
    """Start an SMTP server on 127.0.0.1 that keeps every message; stop it afterwards."""
    from aiosmtpd.controller import Controller

    received = Mailbox([], free_port())

    class Collect:
        async def handle_DATA(self, server, session, envelope):
            received.messages.append(email.message_from_bytes(envelope.original_content, policy=email.policy.default))
            return "250 OK"

    controller = Controller(Collect(), hostname="127.0.0.1", port=received.port)
    controller.start()
    try:
        yield received
    finally:
        controller.stop()
