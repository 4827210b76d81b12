package web

import (
	"fmt"
	"strings"
)

// This file is a small QR code encoder (ISO/IEC 18004): byte mode, error
// correction level M, versions 1 to 10 (up to 213 bytes), enough for a
// link to a service page. It follows the structure of Project Nayuki's
// reference implementation. The pages draw the code as an inline SVG path,
// so no script and no image request are needed.

// qrBlocks are, per version 1-10 at level M: EC codewords per block, and
// the number and data length of the blocks in its two groups.
var qrBlocks = [11]struct{ ec, n1, d1, n2, d2 int }{
	{}, {10, 1, 16, 0, 0}, {16, 1, 28, 0, 0}, {26, 1, 44, 0, 0}, {18, 2, 32, 0, 0}, {24, 2, 43, 0, 0},
	{16, 4, 27, 0, 0}, {18, 4, 31, 0, 0}, {22, 2, 38, 2, 39}, {22, 3, 36, 2, 37}, {26, 4, 43, 1, 44},
}

// qrAlign are the alignment pattern centres per version.
var qrAlign = [11][]int{{}, {}, {6, 18}, {6, 22}, {6, 26}, {6, 30}, {6, 34}, {6, 22, 38}, {6, 24, 42}, {6, 26, 46}, {6, 28, 50}}

// qrCode is a QR symbol: modules[y][x] is true for dark.
type qrCode struct {
	size     int
	modules  [][]bool
	function [][]bool
}

// encodeQR encodes text as a QR code at level M, with the best mask or,
// when mask is 0-7, that mask. It returns nil when text is too long.
func encodeQR(text string, mask int) *qrCode {
	data := []byte(text)
	ver := 0
	for v := 1; v <= 10; v++ {
		b := qrBlocks[v]
		capBits := (b.n1*b.d1 + b.n2*b.d2) * 8
		countBits := 8
		if v >= 10 {
			countBits = 16
		}
		if 4+countBits+8*len(data) <= capBits {
			ver = v
			break
		}
	}
	if ver == 0 {
		return nil
	}
	b := qrBlocks[ver]
	capBytes := b.n1*b.d1 + b.n2*b.d2

	// Data bits: mode, count, bytes, terminator, padding.
	var bits []bool
	put := func(v, n int) {
		for i := n - 1; i >= 0; i-- {
			bits = append(bits, v>>i&1 == 1)
		}
	}
	put(0b0100, 4)
	if ver >= 10 {
		put(len(data), 16)
	} else {
		put(len(data), 8)
	}
	for _, c := range data {
		put(int(c), 8)
	}
	put(0, min(4, capBytes*8-len(bits)))
	put(0, (8-len(bits)%8)%8)
	for pad := 0xEC; len(bits) < capBytes*8; pad ^= 0xEC ^ 0x11 {
		put(pad, 8)
	}
	cw := make([]byte, capBytes)
	for i, bit := range bits {
		if bit {
			cw[i/8] |= 1 << (7 - i%8)
		}
	}

	// Split into blocks, add Reed-Solomon codewords, interleave.
	div := rsDivisor(b.ec)
	var blocks, ecs [][]byte
	off := 0
	for i := 0; i < b.n1+b.n2; i++ {
		n := b.d1
		if i >= b.n1 {
			n = b.d2
		}
		blk := cw[off : off+n]
		off += n
		blocks = append(blocks, blk)
		ecs = append(ecs, rsRemainder(blk, div))
	}
	var all []byte
	for i := 0; i < max(b.d1, b.d2); i++ {
		for _, blk := range blocks {
			if i < len(blk) {
				all = append(all, blk[i])
			}
		}
	}
	for i := 0; i < b.ec; i++ {
		for _, e := range ecs {
			all = append(all, e[i])
		}
	}

	q := newQR(ver)
	q.drawCodewords(all)
	if mask < 0 || mask > 7 {
		best := -1
		for m := 0; m < 8; m++ {
			q.applyMask(m)
			q.drawFormat(m)
			if p := q.penalty(); best < 0 || p < best {
				best, mask = p, m
			}
			q.applyMask(m) // undo: masking is an XOR
		}
	}
	q.applyMask(mask)
	q.drawFormat(mask)
	return q
}

func newQR(ver int) *qrCode {
	size := ver*4 + 17
	q := &qrCode{size: size, modules: make([][]bool, size), function: make([][]bool, size)}
	for i := range size {
		q.modules[i] = make([]bool, size)
		q.function[i] = make([]bool, size)
	}
	for i := range size {
		q.set(6, i, i%2 == 0)
		q.set(i, 6, i%2 == 0)
	}
	for _, c := range [][2]int{{3, 3}, {size - 4, 3}, {3, size - 4}} {
		for dy := -4; dy <= 4; dy++ {
			for dx := -4; dx <= 4; dx++ {
				x, y := c[0]+dx, c[1]+dy
				if x >= 0 && x < size && y >= 0 && y < size {
					d := max(abs(dx), abs(dy))
					q.set(x, y, d != 2 && d != 4)
				}
			}
		}
	}
	pos := qrAlign[ver]
	last := len(pos) - 1
	for i := range pos {
		for j := range pos {
			if (i == 0 && j == 0) || (i == 0 && j == last) || (i == last && j == 0) {
				continue
			}
			for dy := -2; dy <= 2; dy++ {
				for dx := -2; dx <= 2; dx++ {
					q.set(pos[i]+dx, pos[j]+dy, max(abs(dx), abs(dy)) != 1)
				}
			}
		}
	}
	q.drawFormat(0) // reserves the format areas; redrawn after masking
	if ver >= 7 {
		rem := ver
		for range 12 {
			rem = rem<<1 ^ (rem>>11)*0x1F25
		}
		bits := ver<<12 | rem
		for i := range 18 {
			bit := bits>>i&1 == 1
			a, b := size-11+i%3, i/3
			q.set(a, b, bit)
			q.set(b, a, bit)
		}
	}
	return q
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// set sets a function module.
func (q *qrCode) set(x, y int, dark bool) {
	q.modules[y][x] = dark
	q.function[y][x] = true
}

// drawFormat draws the format bits (level M = 0b00) for mask.
func (q *qrCode) drawFormat(mask int) {
	data := 0<<3 | mask
	rem := data
	for range 10 {
		rem = rem<<1 ^ (rem>>9)*0x537
	}
	bits := (data<<10 | rem) ^ 0x5412
	bit := func(i int) bool { return bits>>i&1 == 1 }
	for i := 0; i <= 5; i++ {
		q.set(8, i, bit(i))
	}
	q.set(8, 7, bit(6))
	q.set(8, 8, bit(7))
	q.set(7, 8, bit(8))
	for i := 9; i < 15; i++ {
		q.set(14-i, 8, bit(i))
	}
	n := q.size
	for i := 0; i < 8; i++ {
		q.set(n-1-i, 8, bit(i))
	}
	for i := 8; i < 15; i++ {
		q.set(8, n-15+i, bit(i))
	}
	q.set(8, n-8, true)
}

// drawCodewords places the codewords in the zigzag order.
func (q *qrCode) drawCodewords(data []byte) {
	i, n := 0, q.size
	for right := n - 1; right >= 1; right -= 2 {
		if right == 6 {
			right = 5
		}
		for vert := 0; vert < n; vert++ {
			for j := 0; j < 2; j++ {
				x := right - j
				y := vert
				if (right+1)&2 == 0 {
					y = n - 1 - vert
				}
				if !q.function[y][x] && i < len(data)*8 {
					q.modules[y][x] = data[i>>3]>>(7-i&7)&1 == 1
					i++
				}
			}
		}
	}
}

// applyMask XORs the mask pattern over the non-function modules.
func (q *qrCode) applyMask(m int) {
	for y := 0; y < q.size; y++ {
		for x := 0; x < q.size; x++ {
			var inv bool
			switch m {
			case 0:
				inv = (x+y)%2 == 0
			case 1:
				inv = y%2 == 0
			case 2:
				inv = x%3 == 0
			case 3:
				inv = (x+y)%3 == 0
			case 4:
				inv = (x/3+y/2)%2 == 0
			case 5:
				inv = x*y%2+x*y%3 == 0
			case 6:
				inv = (x*y%2+x*y%3)%2 == 0
			case 7:
				inv = ((x+y)%2+x*y%3)%2 == 0
			}
			if inv && !q.function[y][x] {
				q.modules[y][x] = !q.modules[y][x]
			}
		}
	}
}

// penalty scores a masked symbol by runs, 2x2 blocks and balance (lower
// is better); it leaves out the finder-like pattern rule.
func (q *qrCode) penalty() int {
	p, n, dark := 0, q.size, 0
	for y := 0; y < n; y++ {
		for _, horiz := range []bool{true, false} {
			run := 0
			var prev bool
			for x := 0; x < n; x++ {
				c := q.modules[y][x]
				if !horiz {
					c = q.modules[x][y]
				}
				if x > 0 && c == prev {
					run++
					if run == 5 {
						p += 3
					} else if run > 5 {
						p++
					}
				} else {
					run = 1
				}
				prev = c
			}
		}
		for x := 0; x < n; x++ {
			c := q.modules[y][x]
			if c {
				dark++
			}
			if x < n-1 && y < n-1 && c == q.modules[y][x+1] && c == q.modules[y+1][x] && c == q.modules[y+1][x+1] {
				p += 3
			}
		}
	}
	total := n * n
	k := (abs(dark*20-total*10) + total - 1) / total
	return p + (k-1)*10
}

// svgPath draws the dark modules as one SVG path, in module units with a
// quiet zone of 4 modules; viewBox is "0 0 size+8 size+8".
func (q *qrCode) svgPath() string {
	var b strings.Builder
	for y := 0; y < q.size; y++ {
		for x := 0; x < q.size; x++ {
			if q.modules[y][x] {
				fmt.Fprintf(&b, "M%d %dh1v1h-1z", x+4, y+4)
			}
		}
	}
	return b.String()
}

func rsMul(x, y byte) byte {
	var z int
	for i := 7; i >= 0; i-- {
		z = z<<1 ^ (z>>7)*0x11D
		z ^= int(y>>i&1) * int(x)
	}
	return byte(z)
}

func rsDivisor(degree int) []byte {
	r := make([]byte, degree)
	r[degree-1] = 1
	var root byte = 1
	for range degree {
		for j := range degree {
			r[j] = rsMul(r[j], root)
			if j+1 < degree {
				r[j] ^= r[j+1]
			}
		}
		root = rsMul(root, 2)
	}
	return r
}

func rsRemainder(data, div []byte) []byte {
	r := make([]byte, len(div))
	for _, c := range data {
		f := c ^ r[0]
		copy(r, r[1:])
		r[len(r)-1] = 0
		for i := range r {
			r[i] ^= rsMul(div[i], f)
		}
	}
	return r
}
