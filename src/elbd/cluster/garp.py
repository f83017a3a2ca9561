"""A gratuitous ARP (RFC 5227's ARP announcement): "VIP is at this MAC address", broadcast on an
interface, so that the neighbours' caches point at the node that serves the VIP now. Sent from a raw
packet socket (needs CAP_NET_RAW, as `ip addr add` needs CAP_NET_ADMIN); no arping needed."""

import ipaddress
import socket
from pathlib import Path

ETHERTYPE_ARP = 0x0806
BROADCAST = b"\xff" * 6


def announcement(mac: bytes, address: str) -> bytes:
    """The Ethernet frame: an ARP request whose sender and target address are both the VIP."""
    ip = ipaddress.IPv4Address(address).packed
    arp = (
        (1).to_bytes(2, "big") + (0x0800).to_bytes(2, "big") + bytes([6, 4]) + (1).to_bytes(2, "big")  # Ethernet, IPv4, request
        + mac + ip + b"\x00" * 6 + ip
    )
    return BROADCAST + mac + ETHERTYPE_ARP.to_bytes(2, "big") + arp


def interface_mac(interface: str) -> bytes:
    return bytes.fromhex((Path("/sys/class/net") / interface / "address").read_text().strip().replace(":", ""))


def send_gratuitous_arp(interface: str, address: str) -> None:
    frame = announcement(interface_mac(interface), address)
    with socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETHERTYPE_ARP)) as raw:
        raw.bind((interface, 0))
        raw.send(frame)
