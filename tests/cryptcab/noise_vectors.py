#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/cryptcab/noise_vectors.py - the vdecab v1 handshake computed by an
# independent Noise implementation (python3-dissononce) with fixed keys.
#
# Prints "name hex" lines: msg1, msg2 (Noise bodies), k_i2r, k_r2i and the
# first transport message under k_i2r (nonce 0, empty AD, "vdecab"). The C
# side (tests/unit/test_cable_noise --vectors) prints the same lines.
import sys

try:
    from dissononce.processing.impl.handshakestate import HandshakeState
    from dissononce.processing.impl.symmetricstate import SymmetricState
    from dissononce.processing.impl.cipherstate import CipherState
    from dissononce.processing.handshakepatterns.interactive.IK import IKHandshakePattern
    from dissononce.processing.modifiers.psk import PSKPatternModifier
    from dissononce.cipher.chachapoly import ChaChaPolyCipher
    from dissononce.dh.x25519.x25519 import X25519DH
    from dissononce.dh.x25519.private import PrivateKey
    from dissononce.hash.blake2b import Blake2bHash
    from dissononce.extras.dh.dangerous.dh_nogen import NoGenDH
except ImportError as e:
    print("SKIP: python3-dissononce missing: %s" % e)
    sys.exit(77)


def key(start):
    return bytes((start + i) & 0xff for i in range(32))


S_I, S_R, E_I, E_R, PSK = key(0x10), key(0x40), key(0x70), key(0xa0), key(0xd0)
if len(sys.argv) > 1 and sys.argv[1] == "nopsk":
    PSK = bytes(32)
TS = bytes(range(0x30, 0x3c))
PROLOGUE = b"VDE-cable v1"


def hs(e_priv):
    dh = NoGenDH(X25519DH(), PrivateKey(e_priv))
    return HandshakeState(SymmetricState(CipherState(ChaChaPolyCipher()), Blake2bHash()), dh)


pattern = PSKPatternModifier(2).modify(IKHandshakePattern())
xdh = X25519DH()
s_i = xdh.generate_keypair(PrivateKey(S_I))
s_r = xdh.generate_keypair(PrivateKey(S_R))

ini = hs(E_I)
ini.initialize(pattern, True, PROLOGUE, s=s_i, rs=s_r.public, psks=(PSK,))
res = hs(E_R)
res.initialize(pattern, False, PROLOGUE, s=s_r, psks=(PSK,))

msg1 = bytearray()
ini.write_message(TS, msg1)
ts = bytearray()
res.read_message(bytes(msg1), ts)
assert bytes(ts) == TS
msg2 = bytearray()
r_cs = res.write_message(b"", msg2)
empty = bytearray()
i_cs = ini.read_message(bytes(msg2), empty)
i_send, i_recv = i_cs
r_recv, r_send = r_cs
assert i_send._key == r_recv._key and i_recv._key == r_send._key
ct = i_send.encrypt_with_ad(b"", b"vdecab")
print("msg1", bytes(msg1).hex())
print("msg2", bytes(msg2).hex())
print("k_i2r", i_send._key.hex())
print("k_r2i", i_recv._key.hex())
print("transport0", ct.hex())
