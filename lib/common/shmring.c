// SPDX-License-Identifier: LGPL-2.1-or-later
/* lib/common/shmring.c - SPSC frame rings in shared memory (pure core)
 *
 * Theory of operation
 *
 * A ring is a power-of-two byte array plus two free-running 32-bit byte
 * counters: tail (written only by the producer) and head (written only by
 * the consumer); tail - head bytes are published and unread. A record is
 * an 8-byte header (u32 payload length, u16 flags, u16 zero) and the
 * payload, padded to 8 bytes. Records never wrap: when one does not fit
 * before the end of the array the producer writes a PAD header there and
 * starts again at offset 0. The producer writes whole records, then
 * publishes them all with one release store of tail; a producer that dies
 * before that store leaves nothing visible (a reserved, unpublished record
 * is simply overwritten by the next producer write, or never seen).
 *
 * Why bytes, not fixed slots: frames run from 60 bytes to 64 KiB
 * super-frames. Fixed 64 KiB slots waste 99% of the memory on small frames
 * (and a useful number of them costs megabytes per port); two slot classes
 * need two rings and reorder. A byte ring stores every frame in its size
 * plus at most 15 bytes, so 256 KiB holds ~3 super-frames, ~170 full
 * 1514-byte frames or ~3600 minimum frames: memory follows the load.
 *
 * Wake-ups (event suppression): cons_sleeping is set by the consumer (an
 * atomic exchange, then a full fence, then it re-reads tail) before it
 * waits; the producer, after its release store of tail and a full fence,
 * takes the flag with an exchange and only when it was set sends one
 * doorbell. Either the producer sees the flag or the consumer sees the new
 * tail (store-fence-load on both sides), so a wake-up is never lost, and
 * under load (the consumer never finds the ring empty) no doorbell and no
 * system call is made per frame. prod_waiting works the same way for
 * room: the consumer takes it after publishing head.
 *
 * The consumer also counts doorbells: every time it finds its previous
 * arming taken, one doorbell is on its way (owed); every doorbell it reads
 * pays one off. The I/O layer uses this to leave its poll fd readable
 * exactly while frames remain (see lib/vdeplug/fastpath.c).
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "shmring.h"

_Static_assert(sizeof(struct shmring_ctl) == 256, "ring control block is 4 cache lines");
_Static_assert(sizeof(struct shmring_region) == 32, "region header layout");
_Static_assert(SHMRING_FRAME_MAX + SHMRING_REC_HDR + SHMRING_ALIGN <= SHMRING_SIZE_MIN / 2,
	       "an empty ring takes any record");

static uint32_t load_acq(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void store_rel(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static bool take_flag(uint32_t *flag)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!__atomic_load_n(flag, __ATOMIC_RELAXED))
		return false;
	return __atomic_exchange_n(flag, 0, __ATOMIC_SEQ_CST) != 0;
}

static size_t rec_size(size_t len)
{
	return (SHMRING_REC_HDR + len + SHMRING_ALIGN - 1) & ~(size_t)(SHMRING_ALIGN - 1);
}

/**
 * shmring_region_size() - bytes of a region with two rings of @ring_size
 * @ring_size:	data bytes per ring
 *
 * Return: the size, or 0 if @ring_size is not a power of two within
 * SHMRING_SIZE_MIN..SHMRING_SIZE_MAX.
 */
size_t shmring_region_size(uint32_t ring_size)
{
	if (ring_size < SHMRING_SIZE_MIN || ring_size > SHMRING_SIZE_MAX ||
	    (ring_size & (ring_size - 1)))
		return 0;
	return SHMRING_DATA_OFF + 2 * (size_t)ring_size;
}

/**
 * shmring_region_init() - write a fresh region (the switch, once)
 * @map:	the mapping, zero-filled (a new memfd)
 * @maplen:	its length
 * @ring_size:	data bytes per ring
 * @features:	enum shmring_features granted
 *
 * Both consumers start asleep (cons_sleeping = 1), so the first frame
 * produced in either direction rings the doorbell.
 *
 * Return: 0, or -EINVAL.
 */
int shmring_region_init(void *map, size_t maplen, uint32_t ring_size, uint32_t features)
{
	size_t need = shmring_region_size(ring_size);
	struct shmring_region *h = map;
	struct shmring_ctl *c;
	unsigned int i;

	if (!map || !need || maplen < need || (features & ~(uint32_t)SHMRING_FEAT_VNET))
		return -EINVAL;
	memset(map, 0, SHMRING_DATA_OFF);
	h->magic = SHMRING_MAGIC;
	h->version = SHMRING_VERSION;
	h->ring_size = ring_size;
	h->frame_max = SHMRING_FRAME_MAX;
	h->features = features;
	h->region_size = need;
	for (i = 0; i < 2; i++) {
		c = (struct shmring_ctl *)((uint8_t *)map + SHMRING_CTL_OFF + i * SHMRING_CTL_SIZE);
		c->cons_sleeping = 1;
	}
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return 0;
}

/**
 * shmring_region_check() - copy and validate a region header (the client)
 * @map:	the mapping (the peer may change it at any time)
 * @maplen:	bytes mapped (the memfd's size, already checked sealed)
 * @out:	the validated values, to be used from now on instead of @map's
 *
 * Return: 0, or -EPROTO (bad magic, version, sizes) or -EINVAL.
 */
int shmring_region_check(const void *map, size_t maplen, struct shmring_layout *out)
{
	struct shmring_region h;
	size_t need;

	if (!map || !out || maplen < sizeof(h))
		return -EINVAL;
	memcpy(&h, map, sizeof(h));
	if (h.magic != SHMRING_MAGIC || h.version != SHMRING_VERSION || h.reserved)
		return -EPROTO;
	need = shmring_region_size(h.ring_size);
	if (!need || h.region_size != need || maplen < need)
		return -EPROTO;
	if (h.frame_max < 1514 || h.frame_max > SHMRING_FRAME_MAX)
		return -EPROTO;
	if (h.features & ~(uint32_t)SHMRING_FEAT_VNET)
		return -EPROTO;
	out->ring_size = h.ring_size;
	out->frame_max = h.frame_max;
	out->features = h.features;
	out->region_size = need;
	return 0;
}

/* Producer: the consumer's head, or false if it is out of range. */
static bool prod_head(struct shmring *r, uint32_t *head)
{
	uint32_t h = load_acq(&r->ctl->head);

	if (r->pos - h > r->size) {
		r->st.bad_index++;
		return false;
	}
	r->peer = h;
	*head = h;
	return true;
}

/**
 * shmring_attach() - set up one side's view of one ring
 * @r:		the view
 * @map:	the region (already validated into @l)
 * @l:		validated layout
 * @dir:	which ring
 * @producer:	true on the producing side
 */
void shmring_attach(struct shmring *r, void *map, const struct shmring_layout *l,
		    enum shmring_dir dir, bool producer)
{
	uint8_t *base = map;

	memset(r, 0, sizeof(*r));
	r->ctl = (struct shmring_ctl *)(base + SHMRING_CTL_OFF + (size_t)dir * SHMRING_CTL_SIZE);
	r->data = base + SHMRING_DATA_OFF + (size_t)dir * l->ring_size;
	r->size = l->ring_size;
	r->frame_max = l->frame_max;
	r->features = l->features;
	/* our own index is read once, then only written; the peer may have
	 * written it first: rounded down to a record boundary, so that every
	 * header we write or read stands inside the ring */
	r->pos = load_acq(producer ? &r->ctl->tail : &r->ctl->head) &
		 ~(uint32_t)(SHMRING_ALIGN - 1);
	r->peer = r->pos;
	r->armed = !producer;	/* region_init leaves the consumer asleep */
	if (producer) {
		uint32_t head;

		(void)prod_head(r, &head);
	}
}

/* Producer: bytes needed at r->pos for a record of @len (PAD included). */
static size_t prod_need(const struct shmring *r, size_t len)
{
	size_t off = r->pos & (r->size - 1), rec = rec_size(len);

	return off + rec > r->size ? (r->size - off) + rec : rec;
}

/**
 * shmring_has_room() - whether a frame of @len fits now
 * @r:		producer view
 * @len:	payload bytes
 *
 * Return: true if shmring_produce() would take it.
 */
bool shmring_has_room(struct shmring *r, size_t len)
{
	uint32_t head;

	if (len == 0 || len > r->frame_max)
		return false;
	if (prod_need(r, len) <= r->size - (r->pos - r->peer))
		return true;
	if (!prod_head(r, &head))
		return false;
	return prod_need(r, len) <= r->size - (r->pos - head);
}

static size_t iov_len(const struct iovec *iov, size_t cnt)
{
	size_t i, len = 0;

	for (i = 0; i < cnt; i++) {
		if (iov[i].iov_len > SHMRING_FRAME_MAX)
			return SIZE_MAX;
		len += iov[i].iov_len;
		if (len > SHMRING_FRAME_MAX)
			return SIZE_MAX;
	}
	return len;
}

static void put_hdr(uint8_t *p, uint32_t len, uint32_t flags)
{
	uint32_t w[2] = { len, flags & 0xffff };

	memcpy(p, w, sizeof(w));
}

/**
 * shmring_produce() - copy frames into the ring and publish them
 * @r:		producer view
 * @f:		frames
 * @n:		how many
 * @kick:	set to true if the consumer must get a doorbell, else false
 *
 * Stops at the first frame that does not fit (counted in st.full) or is
 * empty or longer than frame_max (st.oversize); the caller decides whether
 * to wait, drop or report it.
 *
 * Return: the number of frames written and published (a prefix of @f).
 */
size_t shmring_produce(struct shmring *r, const struct shmring_txf *f, size_t n, bool *kick)
{
	uint32_t start = r->pos;
	size_t i, done = 0;

	*kick = false;
	for (i = 0; i < n; i++) {
		size_t len = iov_len(f[i].iov, f[i].iovcnt), off, k;
		unsigned int flags = f[i].flags & SHMRING_F_VNET;
		uint8_t *p;

		if (len == 0 || len > r->frame_max ||
		    (flags && !(r->features & SHMRING_FEAT_VNET))) {
			r->st.oversize++;
			break;
		}
		if (!shmring_has_room(r, len)) {
			r->st.full++;
			break;
		}
		off = r->pos & (r->size - 1);
		if (off + rec_size(len) > r->size) {
			put_hdr(r->data + off, 0, SHMRING_F_PAD);
			r->pos += (uint32_t)(r->size - off);
			off = 0;
		}
		p = r->data + off;
		put_hdr(p, (uint32_t)len, flags);
		p += SHMRING_REC_HDR;
		for (k = 0; k < f[i].iovcnt; k++) {
			if (f[i].iov[k].iov_len)
				memcpy(p, f[i].iov[k].iov_base, f[i].iov[k].iov_len);
			p += f[i].iov[k].iov_len;
		}
		r->pos += (uint32_t)rec_size(len);
		r->st.frames++;
		r->st.bytes += len;
		done++;
	}
	if (r->pos != start) {
		store_rel(&r->ctl->tail, r->pos);
		*kick = take_flag(&r->ctl->cons_sleeping);
	}
	return done;
}

/**
 * shmring_prod_arm() - ask for a doorbell when room for @len appears
 * @r:		producer view
 * @len:	payload bytes wanted
 *
 * Sets prod_waiting, then looks again: the consumer either sees the flag
 * after it frees room, or we see the room here.
 *
 * Return: true if the room is there now (do not wait).
 */
bool shmring_prod_arm(struct shmring *r, size_t len)
{
	__atomic_exchange_n(&r->ctl->prod_waiting, 1, __ATOMIC_SEQ_CST);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return shmring_has_room(r, len);
}

/* Consumer: the producer's tail, or false if it is out of range or not
 * at a record boundary (a producer only publishes whole records: a
 * misaligned tail, once taken as our head after a bad record, would put
 * the next header across the end of the ring). */
static bool cons_tail(struct shmring *r, uint32_t *tail)
{
	uint32_t t = load_acq(&r->ctl->tail);

	if ((t & (SHMRING_ALIGN - 1)) || t - r->pos > r->size) {
		r->st.bad_index++;
		return false;
	}
	r->peer = t;
	*tail = t;
	return true;
}

/* Copy @len bytes from the ring to the scattered buffer, the first
 * SHMRING_VNET_HDR of them to @vhdr instead if it is not NULL; bytes copied. */
static size_t copy_out(const struct shmring_rxf *f, uint8_t *vhdr, const uint8_t *src,
		       size_t len)
{
	size_t i, done = 0;

	if (vhdr) {
		done = len < SHMRING_VNET_HDR ? len : SHMRING_VNET_HDR;
		memcpy(vhdr, src, done);
	}
	for (i = 0; i < f->iovcnt && done < len; i++) {
		size_t k = f->iov[i].iov_len < len - done ? f->iov[i].iov_len : len - done;

		if (k)
			memcpy(f->iov[i].iov_base, src + done, k);
		done += k;
	}
	return done;
}

/**
 * shmring_consume() - copy frames out of the ring
 * @r:		consumer view
 * @f:		up to @n buffers; len, frame_len and flags are filled in
 * @n:		how many
 * @kick:	set to true if the producer must get a doorbell (room)
 *
 * A frame longer than its buffer is truncated (st.truncated), as recv()
 * truncates a datagram. A garbage record (length 0 or above frame_max,
 * unknown flags, crossing the end of the ring or the published tail) or an
 * out-of-range tail drops everything published so far (st.bad_record or
 * st.bad_index; st.dropped counts the bytes skipped): the peer only loses
 * its own frames. Work is
 * bounded by @n records and two PAD records.
 *
 * Return: the number of frames filled in.
 */
size_t shmring_consume(struct shmring *r, struct shmring_rxf *f, size_t n, bool *kick)
{
	return shmring_consume_vnet(r, f, NULL, n, kick);
}

/**
 * shmring_consume_vnet() - shmring_consume(), a VNET record's header apart
 * @r:		consumer view
 * @f:		up to @n buffers; len, frame_len and flags are filled in
 * @vhdr:	NULL (shmring_consume()), or @n places: a record with
 *		SHMRING_F_VNET puts its first SHMRING_VNET_HDR bytes in
 *		vhdr[i] and only the rest in f[i].iov; a plain record goes
 *		whole to f[i].iov. f[i].len and frame_len count the header.
 * @n:		how many
 * @kick:	set to true if the producer must get a doorbell (room)
 *
 * So a consumer that wants each frame at the same place, with or without
 * a header, needs no copy after the fact.
 *
 * Return: the number of frames filled in.
 */
size_t shmring_consume_vnet(struct shmring *r, struct shmring_rxf *f,
			    uint8_t (*vhdr)[SHMRING_VNET_HDR], size_t n, bool *kick)
{
	uint32_t start = r->pos, tail;
	size_t got = 0, pads = 0;

	*kick = false;
	if (!cons_tail(r, &tail))
		goto out;
	while (got < n && tail != r->pos) {
		uint32_t avail = tail - r->pos, off = r->pos & (r->size - 1), hdr[2];
		const uint32_t *sh = (const uint32_t *)(r->data + off);
		size_t rec;

		/* the header is copied once and only the copy is used */
		hdr[0] = __atomic_load_n(&sh[0], __ATOMIC_RELAXED);
		hdr[1] = __atomic_load_n(&sh[1], __ATOMIC_RELAXED);
		if (avail < SHMRING_REC_HDR || (hdr[1] & ~(uint32_t)SHMRING_F_KNOWN))
			goto bad;
		if (hdr[1] & SHMRING_F_PAD) {
			if (hdr[1] != SHMRING_F_PAD || off == 0 || r->size - off > avail ||
			    ++pads > 2)
				goto bad;
			r->pos += r->size - off;
			continue;
		}
		if (hdr[0] == 0 || hdr[0] > r->frame_max ||
		    ((hdr[1] & SHMRING_F_VNET) && !(r->features & SHMRING_FEAT_VNET)))
			goto bad;
		rec = rec_size(hdr[0]);
		if (rec > avail || off + rec > r->size)
			goto bad;
		f[got].frame_len = hdr[0];
		f[got].flags = hdr[1];
		f[got].len = copy_out(&f[got],
				      vhdr && (hdr[1] & SHMRING_F_VNET) ? vhdr[got] : NULL,
				      r->data + off + SHMRING_REC_HDR, hdr[0]);
		if (f[got].len < hdr[0])
			r->st.truncated++;
		r->st.frames++;
		r->st.bytes += hdr[0];
		r->pos += (uint32_t)rec;
		got++;
	}
	goto out;
bad:
	r->st.bad_record++;
	r->st.dropped += tail - r->pos;
	r->pos = tail;
out:
	if (r->pos != start) {
		store_rel(&r->ctl->head, r->pos);
		*kick = take_flag(&r->ctl->prod_waiting);
	}
	return got;
}

/**
 * shmring_empty() - whether nothing is published (a bad tail counts as empty)
 * @r:		consumer view
 *
 * Return: true if empty.
 */
bool shmring_empty(struct shmring *r)
{
	uint32_t tail;

	return !cons_tail(r, &tail) || tail == r->pos;
}

/**
 * shmring_cons_arm() - ask for a doorbell before waiting
 * @r:		consumer view
 *
 * Sets cons_sleeping and looks at tail again. If the previous arming was
 * taken by the producer, its doorbell is owed (r->owed).
 *
 * Return: true if frames are there (do not wait).
 */
bool shmring_cons_arm(struct shmring *r)
{
	uint32_t old = __atomic_exchange_n(&r->ctl->cons_sleeping, 1, __ATOMIC_SEQ_CST);

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (old == 0 && r->armed)
		r->owed++;
	r->armed = true;
	return !shmring_empty(r);
}

/**
 * shmring_cons_absorb() - account doorbells the consumer has read
 * @r:		consumer view
 * @doorbells:	how many were read
 *
 * Doorbells pay off the owed ones first; one beyond them means the current
 * arming was taken (the flag is clear again). More than that come from a
 * misbehaving peer and are ignored.
 */
void shmring_cons_absorb(struct shmring *r, uint64_t doorbells)
{
	uint64_t pay = doorbells < r->owed ? doorbells : r->owed;

	r->owed -= (uint32_t)pay;
	if (doorbells > pay)
		r->armed = false;
}

/**
 * shmring_kick_check() - producer: doorbell needed for frames already there?
 * @r:		producer view
 *
 * For a poke from the consumer (which found frames but has no doorbell
 * coming): takes cons_sleeping if the ring holds frames.
 *
 * Return: true if a doorbell must be sent.
 */
bool shmring_kick_check(struct shmring *r)
{
	uint32_t head;

	if (!prod_head(r, &head) || head == r->pos)
		return false;
	return take_flag(&r->ctl->cons_sleeping);
}
