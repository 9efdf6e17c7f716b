// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) over a byte slice, continuing from a finished CRC:
// update(crc32c(a), b) == crc32c(a ++ b). Two implementations, picked at run time:
// - SSE4.2 `crc32` instruction (x86-64): latency 3 cycles, throughput 1 per cycle, so one dependent chain of 8-byte
//   steps runs at a third of the unit's speed. Inputs of at least 3 blocks run three independent chains over three
//   adjacent blocks and join them: for raw CRC registers (no pre/post inversion), running A then B from register r
//   gives r_AB = r_A * x^(8|B|) mod P  xor  crc_0(B), where crc_0 starts from register 0. So the joined register of
//   A|B|C is shift(shift(rA) ^ rB) ^ rC with shift = multiply by x^(8*block) mod P. The multiplication by a constant
//   is linear over GF(2): four 256-entry tables (one per byte of the register, built at compile time) do it in four
//   lookups. Blocks: 4096 bytes (12 KiB per round) then 256 bytes (768 per round), then single 8-byte steps.
// - slicing-by-8 tables (8 KiB, compile time) where SSE4.2 is absent, same algorithm as the JavaScript twin.

const POLY: u32 = 0x82f6_3b78;
const LONG: usize = 4096;
const SHORT: usize = 256;

const fn slicing_tables() -> [[u32; 256]; 8] {
  let mut t = [[0u32; 256]; 8];
  let mut n = 0;
  while n < 256 {
    let mut c = n as u32;
    let mut k = 0;
    while k < 8 {
      c = if c & 1 != 0 { (c >> 1) ^ POLY } else { c >> 1 };
      k += 1;
    }
    t[0][n] = c;
    n += 1;
  }
  n = 0;
  while n < 256 {
    let mut c = t[0][n];
    let mut s = 1;
    while s < 8 {
      c = t[0][(c & 0xff) as usize] ^ (c >> 8);
      t[s][n] = c;
      s += 1;
    }
    n += 1;
  }
  t
}

/// a * b mod P, both polynomials in the reflected representation (bit 31 is x^0).
const fn mult_mod_p(a: u32, mut b: u32) -> u32 {
  if a == 0 {
    return 0;
  }
  let mut m: u32 = 1 << 31;
  let mut p: u32 = 0;
  loop {
    if a & m != 0 {
      p ^= b;
      if a & (m - 1) == 0 {
        return p;
      }
    }
    m >>= 1;
    b = if b & 1 != 0 { (b >> 1) ^ POLY } else { b >> 1 };
  }
}

/// x^k mod P by square-and-multiply.
const fn x_pow_mod_p(mut k: usize) -> u32 {
  let mut result: u32 = 1 << 31; // x^0
  let mut base: u32 = 1 << 30; // x^1
  while k > 0 {
    if k & 1 != 0 {
      result = mult_mod_p(base, result);
    }
    base = mult_mod_p(base, base);
    k >>= 1;
  }
  result
}

/// Tables multiplying a register by x^(8 * bytes) mod P: shift(c) = T0[c & 255] ^ T1[c >> 8 & 255] ^ ...
#[allow(dead_code)]
const fn shift_tables(bytes: usize) -> [[u32; 256]; 4] {
  let k = x_pow_mod_p(8 * bytes);
  let mut t = [[0u32; 256]; 4];
  let mut p = 0;
  while p < 4 {
    let mut v = 0;
    while v < 256 {
      t[p][v] = mult_mod_p((v as u32) << (8 * p), k);
      v += 1;
    }
    p += 1;
  }
  t
}

static SLICING: [[u32; 256]; 8] = slicing_tables();
#[cfg(target_arch = "x86_64")]
static SHIFT_LONG: [[u32; 256]; 4] = shift_tables(LONG);
#[cfg(target_arch = "x86_64")]
static SHIFT_SHORT: [[u32; 256]; 4] = shift_tables(SHORT);

#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn shift(t: &[[u32; 256]; 4], c: u32) -> u32 {
  t[0][(c & 0xff) as usize]
    ^ t[1][((c >> 8) & 0xff) as usize]
    ^ t[2][((c >> 16) & 0xff) as usize]
    ^ t[3][(c >> 24) as usize]
}

/// Raw register update with the slicing-by-8 tables.
fn update_table(register: u32, data: &[u8]) -> u32 {
  let t = &SLICING;
  let mut c = register;
  let mut chunks = data.chunks_exact(8);
  for ch in &mut chunks {
    let a = u32::from_le_bytes([ch[0], ch[1], ch[2], ch[3]]) ^ c;
    let b = u32::from_le_bytes([ch[4], ch[5], ch[6], ch[7]]);
    c = t[7][(a & 0xff) as usize]
      ^ t[6][((a >> 8) & 0xff) as usize]
      ^ t[5][((a >> 16) & 0xff) as usize]
      ^ t[4][(a >> 24) as usize]
      ^ t[3][(b & 0xff) as usize]
      ^ t[2][((b >> 8) & 0xff) as usize]
      ^ t[1][((b >> 16) & 0xff) as usize]
      ^ t[0][(b >> 24) as usize];
  }
  for &byte in chunks.remainder() {
    c = t[0][((c ^ byte as u32) & 0xff) as usize] ^ (c >> 8);
  }
  c
}

/// Raw register update with the SSE4.2 crc32 instruction, three interleaved chains for long inputs.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse4.2")]
unsafe fn update_sse42(register: u32, data: &[u8]) -> u32 {
  use core::arch::x86_64::{_mm_crc32_u64, _mm_crc32_u8};
  let mut p = data.as_ptr();
  let mut len = data.len();
  let mut c0 = register as u64;
  // Byte steps up to an 8-byte boundary so the 8-byte loads below are aligned.
  while len > 0 && (p as usize) & 7 != 0 {
    c0 = _mm_crc32_u8(c0 as u32, *p) as u64;
    p = p.add(1);
    len -= 1;
  }
  for (block, table) in [(LONG, &SHIFT_LONG), (SHORT, &SHIFT_SHORT)] {
    while len >= 3 * block {
      let mut c1: u64 = 0;
      let mut c2: u64 = 0;
      let end = p.add(block);
      while p < end {
        c0 = _mm_crc32_u64(c0, (p as *const u64).read());
        c1 = _mm_crc32_u64(c1, (p.add(block) as *const u64).read());
        c2 = _mm_crc32_u64(c2, (p.add(2 * block) as *const u64).read());
        p = p.add(8);
      }
      c0 = (shift(table, c0 as u32) as u64) ^ c1;
      c0 = (shift(table, c0 as u32) as u64) ^ c2;
      p = p.add(2 * block);
      len -= 3 * block;
    }
  }
  while len >= 8 {
    c0 = _mm_crc32_u64(c0, (p as *const u64).read());
    p = p.add(8);
    len -= 8;
  }
  while len > 0 {
    c0 = _mm_crc32_u8(c0 as u32, *p) as u64;
    p = p.add(1);
    len -= 1;
  }
  c0 as u32
}

/// True where the SSE4.2 path runs (std caches the cpuid answer in an atomic).
pub fn has_sse42() -> bool {
  #[cfg(target_arch = "x86_64")]
  {
    std::is_x86_feature_detected!("sse4.2")
  }
  #[cfg(not(target_arch = "x86_64"))]
  {
    false
  }
}

/// Continues a finished CRC-32C over data, with the fastest implementation this CPU has.
pub fn update(crc: u32, data: &[u8]) -> u32 {
  #[cfg(target_arch = "x86_64")]
  if has_sse42() {
    // SAFETY: the CPU supports SSE4.2 (checked above).
    return !unsafe { update_sse42(!crc, data) };
  }
  !update_table(!crc, data)
}

/// Continues a finished CRC-32C with the table fallback only (the path CPUs without SSE4.2 take).
pub fn update_portable(crc: u32, data: &[u8]) -> u32 {
  !update_table(!crc, data)
}
