// Package peerutil holds what the walsim peer drivers share: a Go port of
// walsim's seeded generator (base/rng.h), so that a Go driver given the same
// --seed writes the same payload bytes as the walsim CLI, and the argument
// handling that lets a positional DIR come before or after the flags.
package peerutil

// Rng is xoshiro256** seeded through SplitMix64, bit for bit the generator of
// walsim's base/rng.cc. Not safe for concurrent use.
type Rng struct {
	seed  uint64
	state [4]uint64
}

const (
	fnv1a64Offset = 0xcbf29ce484222325
	fnv1a64Prime  = 0x100000001b3
)

func splitMix64(state *uint64) uint64 {
	*state += 0x9e3779b97f4a7c15
	z := *state
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

func rotateLeft(x uint64, k uint) uint64 { return (x << k) | (x >> (64 - k)) }

// Fnv1a64 is walsim's Fnv1a64 (base/hash.h).
func Fnv1a64(s string) uint64 {
	h := uint64(fnv1a64Offset)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnv1a64Prime
	}
	return h
}

// NewRng seeds a generator exactly as walsim::Rng(seed) does.
func NewRng(seed uint64) *Rng {
	r := &Rng{seed: seed}
	sm := seed
	for i := range r.state {
		r.state[i] = splitMix64(&sm)
	}
	return r
}

// Stream is walsim::Rng::Stream: a generator determined by (seed, name) only.
func (r *Rng) Stream(name string) *Rng {
	mixed := r.seed
	return NewRng(splitMix64(&mixed) ^ Fnv1a64(name))
}

// Next returns the next 64 random bits (xoshiro256**).
func (r *Rng) Next() uint64 {
	s := &r.state
	result := rotateLeft(s[1]*5, 7) * 9
	t := s[1] << 17
	s[2] ^= s[0]
	s[3] ^= s[1]
	s[1] ^= s[2]
	s[0] ^= s[3]
	s[2] ^= t
	s[3] = rotateLeft(s[3], 45)
	return result
}

// Fill is walsim::Rng::Fill: little-endian bytes of successive Next() words;
// a partial last word is consumed whole.
func (r *Rng) Fill(out []byte) {
	i := 0
	for i < len(out) {
		word := r.Next()
		for b := 0; b < 8 && i < len(out); b++ {
			out[i] = byte(word >> (8 * uint(b)))
			i++
		}
	}
}
