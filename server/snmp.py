"""The SNMP agent: SNMPv1 and v2c GET, GETNEXT and GETBULK on the MIB-2 system group, read-only.

sysDescr is the server's version and OS, sysUpTime the time since the server started, sysName the
Main Domain Name, sysContact the Contact Person and sysLocation the Server Location (the seed's
General page). Requests with another community string than the General page's SNMP Community are
dropped, as agents do. A small BER codec (X.690) is all the protocol needs."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field

INTEGER, OCTET_STRING, NULL, OBJECT_ID, SEQUENCE = 0x02, 0x04, 0x05, 0x06, 0x30
TIMETICKS = 0x43
NO_SUCH_OBJECT, NO_SUCH_INSTANCE, END_OF_MIB_VIEW = 0x80, 0x81, 0x82
GET, GET_NEXT, RESPONSE, SET, GET_BULK = 0xA0, 0xA1, 0xA2, 0xA3, 0xA5
VERSION_1, VERSION_2C = 0, 1
NO_ERROR, TOO_BIG, NO_SUCH_NAME, READ_ONLY, GEN_ERR, NOT_WRITABLE = 0, 1, 2, 4, 5, 17
MAX_DATAGRAM = 65507
MAX_BULK_REPETITIONS = 64
# An answer is at most this many times its request's size (or MIN_ALLOWANCE bytes, enough for the
# whole system group): a spoofed request never makes the agent send a victim much more than it got.
MAX_AMPLIFICATION = 4
MIN_ALLOWANCE = 512

Oid = tuple[int, ...]
SYSTEM = (1, 3, 6, 1, 2, 1, 1)
SYS_DESCR, SYS_UPTIME, SYS_CONTACT, SYS_NAME, SYS_LOCATION = ((*SYSTEM, n, 0) for n in (1, 3, 4, 5, 6))


class BERError(ValueError):
    """A datagram that is not a well-formed SNMP message."""


# --- encoding -----------------------------------------------------------------------------------

def _length(size: int) -> bytes:
    if size < 0x80:
        return bytes([size])
    body = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def tlv(tag: int, body: bytes) -> bytes:
    return bytes([tag]) + _length(len(body)) + body


def encode_integer(value: int, tag: int = INTEGER) -> bytes:
    size = max(1, (value + (value < 0)).bit_length() // 8 + 1)
    return tlv(tag, value.to_bytes(size, "big", signed=True))


def encode_unsigned(value: int, tag: int) -> bytes:
    """Counter, Gauge, TimeTicks: unsigned 32-bit, with a leading zero byte where the top bit is set."""
    size = value.bit_length() // 8 + 1
    return tlv(tag, value.to_bytes(size, "big"))


def encode_string(value: bytes | str) -> bytes:
    return tlv(OCTET_STRING, value.encode() if isinstance(value, str) else value)


def encode_oid(oid: Oid) -> bytes:
    if len(oid) < 2:
        raise BERError("an OID needs at least two arcs")
    body = bytearray()
    for arc in (oid[0] * 40 + oid[1], *oid[2:]):
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | (arc & 0x7F))
            arc >>= 7
        body.extend(reversed(chunk))
    return tlv(OBJECT_ID, bytes(body))


def sequence(*items: bytes, tag: int = SEQUENCE) -> bytes:
    return tlv(tag, b"".join(items))


# --- decoding -----------------------------------------------------------------------------------

def read_tlv(data: bytes, position: int = 0) -> tuple[int, bytes, int]:
    """(tag, body, position after it) of the element at position."""
    if position + 2 > len(data):
        raise BERError("truncated element")
    tag, first = data[position], data[position + 1]
    position += 2
    if first & 0x80:
        count = first & 0x7F
        if count == 0 or count > 4 or position + count > len(data):
            raise BERError("bad length")
        size = int.from_bytes(data[position:position + count], "big")
        position += count
    else:
        size = first
    if position + size > len(data):
        raise BERError("truncated element")
    return tag, data[position:position + size], position + size


def decode_integer(body: bytes) -> int:
    if not body:
        raise BERError("empty integer")
    return int.from_bytes(body, "big", signed=True)


def decode_oid(body: bytes) -> Oid:
    if not body:
        raise BERError("empty OID")
    arcs: list[int] = []
    value = 0
    for byte in body:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            arcs.append(value)
            value = 0
    if body[-1] & 0x80:
        raise BERError("unterminated OID arc")
    first = arcs[0]
    head = (min(first // 40, 2), first - 40 * min(first // 40, 2))
    return (*head, *arcs[1:])


def children(body: bytes) -> list[tuple[int, bytes]]:
    """The (tag, body) elements inside a constructed element."""
    found = []
    position = 0
    while position < len(body):
        tag, inner, position = read_tlv(body, position)
        found.append((tag, inner))
    return found


@dataclass
class Message:
    version: int
    community: bytes
    pdu_type: int
    request_id: int
    error_status: int  # GETBULK: non-repeaters
    error_index: int  # GETBULK: max-repetitions
    bindings: list[tuple[Oid, int, bytes]] = field(default_factory=list)  # (oid, value tag, value body)


def decode_message(data: bytes) -> Message:
    tag, body, end = read_tlv(data)
    if tag != SEQUENCE or end != len(data):
        raise BERError("not an SNMP message")
    parts = children(body)
    if len(parts) != 3 or parts[0][0] != INTEGER or parts[1][0] != OCTET_STRING:
        raise BERError("not an SNMP message")
    pdu_type, pdu = parts[2]
    fields = children(pdu)
    if len(fields) != 4 or any(item[0] != INTEGER for item in fields[:3]) or fields[3][0] != SEQUENCE:
        raise BERError("bad PDU")
    bindings = []
    for bind_tag, bind in children(fields[3][1]):
        pair = children(bind)
        if bind_tag != SEQUENCE or len(pair) != 2 or pair[0][0] != OBJECT_ID:
            raise BERError("bad variable binding")
        bindings.append((decode_oid(pair[0][1]), pair[1][0], pair[1][1]))
    return Message(decode_integer(parts[0][1]), parts[1][1], pdu_type, decode_integer(fields[0][1]),
                   decode_integer(fields[1][1]), decode_integer(fields[2][1]), bindings)


def encode_message(version: int, community: bytes, pdu_type: int, request_id: int, error_status: int,
                   error_index: int, bindings: list[tuple[Oid, bytes]]) -> bytes:
    """A message; each binding's value is already encoded (e.g. tlv(NULL, b"") in a request)."""
    varbinds = sequence(*(sequence(encode_oid(oid), value) for oid, value in bindings))
    pdu = sequence(encode_integer(request_id), encode_integer(error_status), encode_integer(error_index),
                   varbinds, tag=pdu_type)
    return sequence(encode_integer(version), encode_string(community), pdu)


def decode_value(tag: int, body: bytes) -> object:
    """A response value as Python: int, bytes, an OID tuple, or None for the exception values."""
    if tag in (INTEGER, TIMETICKS, 0x41, 0x42, 0x46):
        return int.from_bytes(body, "big", signed=tag == INTEGER)
    if tag == OCTET_STRING:
        return body
    if tag == OBJECT_ID:
        return decode_oid(body)
    return None


# --- the agent ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class SystemGroup:
    """The values the agent answers with, read once per request datagram."""

    description: str
    started: float  # time.time() of the server start
    name: str
    contact: str
    location: str
    community: str


def _objects(system: SystemGroup, now: float) -> dict[Oid, bytes]:
    ticks = max(0, int((now - system.started) * 100)) & 0xFFFFFFFF
    return {
        SYS_DESCR: encode_string(system.description),
        SYS_UPTIME: encode_unsigned(ticks, TIMETICKS),
        SYS_CONTACT: encode_string(system.contact),
        SYS_NAME: encode_string(system.name),
        SYS_LOCATION: encode_string(system.location),
    }


def _next(objects: dict[Oid, bytes], oid: Oid) -> Oid | None:
    return next((candidate for candidate in sorted(objects) if candidate > oid), None)


def answer(data: bytes, system: SystemGroup, now: float | None = None) -> bytes | None:
    """The response datagram to a request datagram, or None to drop it (malformed, wrong community)."""
    try:
        request = decode_message(data)
    except BERError:
        return None
    if not system.community:
        return None  # an empty community string: the agent answers nobody
    if request.version not in (VERSION_1, VERSION_2C) or request.community != system.community.encode():
        return None
    if request.pdu_type not in (GET, GET_NEXT, SET, GET_BULK):
        return None
    if request.pdu_type == GET_BULK and request.version == VERSION_1:
        return None  # GETBULK is SNMPv2
    objects = _objects(system, time.time() if now is None else now)
    v1 = request.version == VERSION_1
    names = [oid for oid, _, _ in request.bindings]

    allowance = max(MAX_AMPLIFICATION * len(data), MIN_ALLOWANCE)

    def reply(status: int, index: int, bindings: list[tuple[Oid, bytes]]) -> bytes:
        message = encode_message(request.version, request.community, RESPONSE, request.request_id, status, index,
                                 bindings)
        if len(message) <= allowance:
            return message
        if request.pdu_type == GET_BULK:  # RFC 3416 4.2.3: fewer bindings, as many as fit
            return encode_message(request.version, request.community, RESPONSE, request.request_id, status, index,
                                  _fitting(bindings, allowance - (len(message) - _bindings_size(bindings))))
        return encode_message(request.version, request.community, RESPONSE, request.request_id, TOO_BIG, 0, [])

    echoed = [(oid, tlv(tag, body)) for oid, tag, body in request.bindings]
    if request.pdu_type == SET:
        return reply(NO_SUCH_NAME if v1 else NOT_WRITABLE, 1 if names else 0, echoed)
    out: list[tuple[Oid, bytes]] = []
    if request.pdu_type == GET_BULK:
        room = allowance - len(reply(NO_ERROR, 0, [])) - 8  # - 8: length fields growing with the list
        return reply(NO_ERROR, 0, _bulk(objects, names, request.error_status, request.error_index, room))
    for position, oid in enumerate(names, start=1):
        if request.pdu_type == GET:
            if oid in objects:
                out.append((oid, objects[oid]))
            elif v1:
                return reply(NO_SUCH_NAME, position, echoed)
            else:
                known_object = any(oid[:len(known) - 1] == known[:-1] for known in objects)
                out.append((oid, tlv(NO_SUCH_INSTANCE if known_object else NO_SUCH_OBJECT, b"")))
        else:
            following = _next(objects, oid)
            if following is not None:
                out.append((following, objects[following]))
            elif v1:
                return reply(NO_SUCH_NAME, position, echoed)
            else:
                out.append((oid, tlv(END_OF_MIB_VIEW, b"")))
    return reply(NO_ERROR, 0, out)


def _binding_size(binding: tuple[Oid, bytes]) -> int:
    return len(sequence(encode_oid(binding[0]), binding[1]))


def _bindings_size(bindings: list[tuple[Oid, bytes]]) -> int:
    return sum(_binding_size(binding) for binding in bindings)


def _fitting(bindings: list[tuple[Oid, bytes]], room: int) -> list[tuple[Oid, bytes]]:
    """The first bindings whose encoding takes at most room bytes (less a few for longer lengths)."""
    room -= 8  # the binding list's and the message's length fields may each grow by a few bytes
    kept: list[tuple[Oid, bytes]] = []
    for binding in bindings:
        room -= _binding_size(binding)
        if room < 0:
            break
        kept.append(binding)
    return kept


class _Full(Exception):
    """The answer has no room for another binding."""


def _bulk(objects: dict[Oid, bytes], names: list[Oid], non_repeaters: int,
          repetitions: int, room: int) -> list[tuple[Oid, bytes]]:
    """GETBULK's bindings, as many as room (bytes) takes: work stops there, not after the whole."""
    non_repeaters = max(0, non_repeaters)
    repetitions = min(max(0, repetitions), MAX_BULK_REPETITIONS)
    out: list[tuple[Oid, bytes]] = []

    def add(binding: tuple[Oid, bytes]) -> None:
        nonlocal room
        room -= _binding_size(binding)
        if room < 0:
            raise _Full
        out.append(binding)

    try:
        for oid in names[:non_repeaters]:
            following = _next(objects, oid)
            add((following, objects[following]) if following else (oid, tlv(END_OF_MIB_VIEW, b"")))
        cursors = list(names[non_repeaters:])
        for _ in range(repetitions):
            if not cursors:
                break
            ended = True
            for position, oid in enumerate(cursors):
                following = _next(objects, oid)
                if following is None:
                    add((oid, tlv(END_OF_MIB_VIEW, b"")))
                else:
                    add((following, objects[following]))
                    cursors[position] = following
                    ended = False
            if ended:
                break
    except _Full:
        pass
    return out


def serve(sock: socket.socket, read_system: Callable[[], SystemGroup], *,
          stop: Callable[[], bool] = lambda: False, on_error: Callable[[str], object] = lambda text: None) -> None:
    """Answer datagrams on a bound UDP socket until stop() says so."""
    sock.settimeout(0.5)
    while not stop():
        try:
            data, peer = sock.recvfrom(MAX_DATAGRAM)
        except TimeoutError:
            continue
        except OSError as error:
            on_error(f"receive failed: {error}")
            continue
        try:
            response = answer(data, read_system())
        except Exception as error:  # one bad request must not stop the agent
            on_error(f"request from {peer[0]} failed: {error}")
            continue
        if response is not None:
            try:
                sock.sendto(response, peer)
            except OSError as error:
                on_error(f"cannot answer {peer[0]}: {error}")


def client_request(address: tuple[str, int], community: str, oids: list[Oid], *, pdu_type: int = GET,
                   version: int = VERSION_2C, timeout: float = 5.0, request_id: int = 1,
                   repetitions: int = 0) -> Message:
    """A minimal manager: send one request and decode the answer (the tests' in-Python client)."""
    bindings = [(oid, tlv(NULL, b"")) for oid in oids]
    data = encode_message(version, community.encode(), pdu_type, request_id, 0,
                          repetitions if pdu_type == GET_BULK else 0, bindings)
    family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        sock.sendto(data, address)
        response, _ = sock.recvfrom(MAX_DATAGRAM)
    return decode_message(response)
