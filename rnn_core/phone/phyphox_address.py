"""The address a user typed for phyphox's remote access, checked and turned into a base URL.

phyphox shows its address as `http://192.168.1.20:8080` (Android: port 8080; iOS: port 80, often
left out). Users type it with or without `http://`, with or without the port. Anything else (a path,
credentials, another scheme, spaces) is refused with a sentence saying what to type instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DEFAULT_PORT = 80  # HTTP's port: what a bare host means (phyphox on iOS serves there)

_EXAMPLE = "type it as phyphox shows it, e.g. 192.168.1.20:8080 or http://192.168.1.20:8080"
_HOSTNAME = re.compile(
    r"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$"
)
_IPV6 = re.compile(r"^\[[0-9A-Fa-f:.]{2,45}\]$")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")


class AddressError(ValueError):
    """An address that is not plain `http://host[:port]`: its message says what to type."""


@dataclass(frozen=True)
class PhoneAddress:
    """Where phyphox's remote access answers: plain HTTP, a host and a port."""

    host: str  # a hostname, an IPv4 address, or an IPv6 address in brackets
    port: int  # 1..65535

    @property
    def url(self) -> str:
        """The base URL, e.g. http://192.168.1.20:8080 (no trailing slash)."""
        return f"http://{self.host}:{self.port}"


def parse_address(typed: str) -> PhoneAddress:
    """The phone's address from what the user typed; AddressError (a sentence) when it is not
    `[http://]host[:port][/]`."""
    text = typed.strip() if isinstance(typed, str) else ""
    if not text:
        raise AddressError(f"No phone address given: {_EXAMPLE}.")
    if any(ord(c) < 33 or ord(c) == 127 for c in text):
        raise AddressError(f"The phone address has spaces or control characters: {_EXAMPLE}.")
    scheme = _SCHEME.match(text)
    if scheme and not _looks_like_host_port(text):
        name = scheme.group(1).lower()
        if name == "https":
            raise AddressError(f"phyphox serves plain http, not https: {_EXAMPLE}.")
        if name != "http":
            raise AddressError(f"{name}: addresses are not a phone: {_EXAMPLE}.")
        if not text[scheme.end() :].startswith("//"):
            raise AddressError(f"The phone address lacks // after http: {_EXAMPLE}.")
        text = text[scheme.end() + 2 :]
    if text.endswith("/"):
        text = text[:-1]  # phyphox's own display may end with a slash; nothing more is allowed
    if "@" in text:
        raise AddressError(f"phyphox takes no user name or password in its address: {_EXAMPLE}.")
    if any(c in text for c in "/?#\\"):
        raise AddressError(f"The phone address has a path or query after the host: {_EXAMPLE}.")
    host, port = _split_port(text)
    if not (_HOSTNAME.match(host) or _IPV6.match(host)):
        raise AddressError(f"{host!r} is not a host name or IP address: {_EXAMPLE}.")
    return PhoneAddress(host=host, port=port)


def _looks_like_host_port(text: str) -> bool:
    """`phone.local:8080` also matches the scheme pattern: digits after the colon mean a port."""
    return text.partition(":")[2].rstrip("/").isdigit()


def _split_port(text: str) -> tuple[str, int]:
    """host[:port] -> (host, port); AddressError for a port that is not 1..65535."""
    if text.startswith("["):  # [v6]:port
        end = text.find("]")
        host, rest = text[: end + 1], text[end + 1 :]
        if rest and not rest.startswith(":"):
            raise AddressError(f"Unexpected text after the IPv6 address: {_EXAMPLE}.")
        port_text = rest[1:] if rest else ""
    else:
        host, _, port_text = text.partition(":")
        if ":" in port_text:
            raise AddressError(f"An IPv6 address needs brackets, like [fe80::1]:8080; {_EXAMPLE}.")
    if not port_text:
        return host, DEFAULT_PORT
    if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
        raise AddressError(f"The port {port_text!r} is not a number from 1 to 65535: {_EXAMPLE}.")
    return host, int(port_text)
