// flopwise engine kernels (AssemblyScript → build/kernels.wasm, 128-bit SIMD, shared imported memory).
//
// Conventions:
// - Every pointer is a byte address into the shared memory; every tensor is f32, row-major.
// - Every parallel kernel takes (lo, hi) first: the half-open range of the dimension that the host
//   splits across threads (rows, columns, (batch, head) pairs or elements; each kernel says which).
//   Each output element is computed by exactly one thread, with the same arithmetic in the same
//   order whatever the split, so results do not depend on the thread count.
// - Dot products accumulate sequentially over the reduction index with separate mul and add (no FMA),
//   so the SIMD block path, the 4-wide path and the scalar tail give bit-identical results.
// - No allocation happens here: the host owns the memory plan.

// @ts-nocheck (AssemblyScript, not TypeScript; excluded from tsc)

@inline function f4(ptr: usize): v128 {
  return v128.load(ptr);
}
@inline function st4(ptr: usize, v: v128): void {
  v128.store(ptr, v);
}
@inline function ldf(ptr: usize): f32 {
  return load<f32>(ptr);
}
@inline function stf(ptr: usize, v: f32): void {
  store<f32>(ptr, v);
}
@inline function idx(i: i32, n: i32): usize {
  return (<usize>i * <usize>n) << 2;
}
@inline function hsum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

// Vectorised exp: 2^n · p(f), n = round(x·log2 e), f = x·log2 e − n ∈ [−½, ½], degree-6 Taylor of
// 2^f (relative error < 2e-7). Input clamped to [−87, 88].
@inline function exp4(x: v128): v128 {
  x = f32x4.max(f32x4.min(x, f32x4.splat(88.0)), f32x4.splat(-87.0));
  const t = f32x4.mul(x, f32x4.splat(1.44269504089));
  const n = f32x4.nearest(t);
  const f = f32x4.sub(t, n);
  let p = f32x4.splat(1.5403530393381606e-4);
  p = f32x4.add(f32x4.mul(p, f), f32x4.splat(1.3333558146428443e-3));
  p = f32x4.add(f32x4.mul(p, f), f32x4.splat(9.618129107628477e-3));
  p = f32x4.add(f32x4.mul(p, f), f32x4.splat(5.550410866482158e-2));
  p = f32x4.add(f32x4.mul(p, f), f32x4.splat(0.2402265069591007));
  p = f32x4.add(f32x4.mul(p, f), f32x4.splat(0.6931471805599453));
  p = f32x4.add(f32x4.mul(p, f), f32x4.splat(1.0));
  const e = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  return f32x4.mul(p, e);
}

@inline function exp1(x: f32): f32 {
  return f32x4.extract_lane(exp4(f32x4.splat(x)), 0);
}

// GELU (tanh form): gelu(x) = x·σ(2u), u = √(2/π)(x + 0.044715x³); fused into mm_nn epilogues.
const GK: f32 = 0.7978845608028654;
const GC: f32 = 0.044715;

@inline function sig2u4(x: v128): v128 {
  const x3 = f32x4.mul(f32x4.mul(x, x), x);
  const u = f32x4.mul(f32x4.splat(GK), f32x4.add(x, f32x4.mul(f32x4.splat(GC), x3)));
  const e = exp4(f32x4.mul(u, f32x4.splat(-2.0)));
  return f32x4.div(f32x4.splat(1.0), f32x4.add(f32x4.splat(1.0), e));
}

// dinp = gelu'(inp)·dout (written, not accumulated). gelu' = s + x·s(1−s)·2·du/dx.
@inline function geluGrad4(x: v128, d: v128): v128 {
  const s = sig2u4(x);
  const x2 = f32x4.mul(x, x);
  const du = f32x4.mul(f32x4.splat(GK), f32x4.add(f32x4.splat(1.0), f32x4.mul(f32x4.splat(3.0 * GC), x2)));
  const g = f32x4.add(s, f32x4.mul(f32x4.mul(f32x4.mul(x, s), f32x4.sub(f32x4.splat(1.0), s)), f32x4.mul(f32x4.splat(2.0), du)));
  return f32x4.mul(g, d);
}

// ---------------------------------------------------------------------------------------------
// Matmul NN: C[M×N] = R + bias + A[M×K]·B[K×N]; rows i in [lo, hi). R (may equal C) and bias are
// optional (0 = none). Register block: 4 rows × 8 columns (8 f32x4 accumulators).
// ---------------------------------------------------------------------------------------------

@inline function initAcc(R: usize, bias: usize, rowOff: usize, colOff: usize): v128 {
  let v = f32x4.splat(0);
  if (R != 0) v = f4(R + rowOff + colOff);
  if (bias != 0) v = f32x4.add(v, f4(bias + colOff));
  return v;
}
@inline function initAcc1(R: usize, bias: usize, rowOff: usize, colOff: usize): f32 {
  let v: f32 = 0;
  if (R != 0) v = ldf(R + rowOff + colOff);
  if (bias != 0) v = v + ldf(bias + colOff);
  return v;
}

// Epilogue (optional): gin ≠ 0 → C = gelu'(gin) ⊙ (…) (backward through GELU);
// gout ≠ 0 → also gout = gelu(C) (forward GELU fused into the MLP up-projection).
@inline function epi4(v: v128, off: usize, gin: usize, gout: usize): v128 {
  if (gin != 0) v = geluGrad4(f4(gin + off), v);
  if (gout != 0) st4(gout + off, f32x4.mul(v, sig2u4(v)));
  return v;
}
@inline function epi1(v: f32, off: usize, gin: usize, gout: usize): f32 {
  if (gin != 0) v = f32x4.extract_lane(geluGrad4(f32x4.splat(ldf(gin + off)), f32x4.splat(v)), 0);
  if (gout != 0) {
    const x = f32x4.splat(v);
    stf(gout + off, f32x4.extract_lane(f32x4.mul(x, sig2u4(x)), 0));
  }
  return v;
}

export function mm_nn(lo: i32, hi: i32, C: usize, A: usize, B: usize, bias: usize, R: usize, K: i32, N: i32, gin: usize, gout: usize): void {
  const rowB: usize = idx(1, N);
  let i = lo;
  for (; i + 4 <= hi; i += 4) {
    const r0 = idx(i, N), r1 = idx(i + 1, N), r2 = idx(i + 2, N), r3 = idx(i + 3, N);
    const a0 = A + idx(i, K), a1 = A + idx(i + 1, K), a2 = A + idx(i + 2, K), a3 = A + idx(i + 3, K);
    let j = 0;
    for (; j + 8 <= N; j += 8) {
      const cj: usize = <usize>j << 2;
      let c00 = initAcc(R, bias, r0, cj), c01 = initAcc(R, bias, r0, cj + 16);
      let c10 = initAcc(R, bias, r1, cj), c11 = initAcc(R, bias, r1, cj + 16);
      let c20 = initAcc(R, bias, r2, cj), c21 = initAcc(R, bias, r2, cj + 16);
      let c30 = initAcc(R, bias, r3, cj), c31 = initAcc(R, bias, r3, cj + 16);
      let bp = B + cj;
      for (let k = 0; k < K; k++) {
        const b0 = f4(bp), b1 = f4(bp + 16);
        const ko: usize = <usize>k << 2;
        const x0 = v128.load32_splat(a0 + ko), x1 = v128.load32_splat(a1 + ko);
        const x2 = v128.load32_splat(a2 + ko), x3 = v128.load32_splat(a3 + ko);
        c00 = f32x4.add(c00, f32x4.mul(x0, b0)); c01 = f32x4.add(c01, f32x4.mul(x0, b1));
        c10 = f32x4.add(c10, f32x4.mul(x1, b0)); c11 = f32x4.add(c11, f32x4.mul(x1, b1));
        c20 = f32x4.add(c20, f32x4.mul(x2, b0)); c21 = f32x4.add(c21, f32x4.mul(x2, b1));
        c30 = f32x4.add(c30, f32x4.mul(x3, b0)); c31 = f32x4.add(c31, f32x4.mul(x3, b1));
        bp += rowB;
      }
      st4(C + r0 + cj, epi4(c00, r0 + cj, gin, gout)); st4(C + r0 + cj + 16, epi4(c01, r0 + cj + 16, gin, gout));
      st4(C + r1 + cj, epi4(c10, r1 + cj, gin, gout)); st4(C + r1 + cj + 16, epi4(c11, r1 + cj + 16, gin, gout));
      st4(C + r2 + cj, epi4(c20, r2 + cj, gin, gout)); st4(C + r2 + cj + 16, epi4(c21, r2 + cj + 16, gin, gout));
      st4(C + r3 + cj, epi4(c30, r3 + cj, gin, gout)); st4(C + r3 + cj + 16, epi4(c31, r3 + cj + 16, gin, gout));
    }
    for (; j + 4 <= N; j += 4) {
      const cj: usize = <usize>j << 2;
      let c0 = initAcc(R, bias, r0, cj), c1 = initAcc(R, bias, r1, cj);
      let c2 = initAcc(R, bias, r2, cj), c3 = initAcc(R, bias, r3, cj);
      let bp = B + cj;
      for (let k = 0; k < K; k++) {
        const b0 = f4(bp);
        const ko: usize = <usize>k << 2;
        c0 = f32x4.add(c0, f32x4.mul(v128.load32_splat(a0 + ko), b0));
        c1 = f32x4.add(c1, f32x4.mul(v128.load32_splat(a1 + ko), b0));
        c2 = f32x4.add(c2, f32x4.mul(v128.load32_splat(a2 + ko), b0));
        c3 = f32x4.add(c3, f32x4.mul(v128.load32_splat(a3 + ko), b0));
        bp += rowB;
      }
      st4(C + r0 + cj, epi4(c0, r0 + cj, gin, gout)); st4(C + r1 + cj, epi4(c1, r1 + cj, gin, gout)); st4(C + r2 + cj, epi4(c2, r2 + cj, gin, gout)); st4(C + r3 + cj, epi4(c3, r3 + cj, gin, gout));
    }
    for (; j < N; j++) {
      const cj: usize = <usize>j << 2;
      let c0 = initAcc1(R, bias, r0, cj), c1 = initAcc1(R, bias, r1, cj);
      let c2 = initAcc1(R, bias, r2, cj), c3 = initAcc1(R, bias, r3, cj);
      let bp = B + cj;
      for (let k = 0; k < K; k++) {
        const b = ldf(bp);
        const ko: usize = <usize>k << 2;
        c0 = c0 + ldf(a0 + ko) * b; c1 = c1 + ldf(a1 + ko) * b;
        c2 = c2 + ldf(a2 + ko) * b; c3 = c3 + ldf(a3 + ko) * b;
        bp += rowB;
      }
      stf(C + r0 + cj, epi1(c0, r0 + cj, gin, gout)); stf(C + r1 + cj, epi1(c1, r1 + cj, gin, gout)); stf(C + r2 + cj, epi1(c2, r2 + cj, gin, gout)); stf(C + r3 + cj, epi1(c3, r3 + cj, gin, gout));
    }
  }
  for (; i < hi; i++) {
    const r0 = idx(i, N);
    const a0 = A + idx(i, K);
    let j = 0;
    for (; j + 8 <= N; j += 8) {
      const cj: usize = <usize>j << 2;
      let c00 = initAcc(R, bias, r0, cj), c01 = initAcc(R, bias, r0, cj + 16);
      let bp = B + cj;
      for (let k = 0; k < K; k++) {
        const x0 = v128.load32_splat(a0 + (<usize>k << 2));
        c00 = f32x4.add(c00, f32x4.mul(x0, f4(bp)));
        c01 = f32x4.add(c01, f32x4.mul(x0, f4(bp + 16)));
        bp += rowB;
      }
      st4(C + r0 + cj, epi4(c00, r0 + cj, gin, gout)); st4(C + r0 + cj + 16, epi4(c01, r0 + cj + 16, gin, gout));
    }
    for (; j + 4 <= N; j += 4) {
      const cj: usize = <usize>j << 2;
      let c0 = initAcc(R, bias, r0, cj);
      let bp = B + cj;
      for (let k = 0; k < K; k++) {
        c0 = f32x4.add(c0, f32x4.mul(v128.load32_splat(a0 + (<usize>k << 2)), f4(bp)));
        bp += rowB;
      }
      st4(C + r0 + cj, epi4(c0, r0 + cj, gin, gout));
    }
    for (; j < N; j++) {
      const cj: usize = <usize>j << 2;
      let c0 = initAcc1(R, bias, r0, cj);
      let bp = B + cj;
      for (let k = 0; k < K; k++) {
        c0 = c0 + ldf(a0 + (<usize>k << 2)) * ldf(bp);
        bp += rowB;
      }
      stf(C + r0 + cj, epi1(c0, r0 + cj, gin, gout));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Matmul TN (weight gradients): C[K×N] += A[M×K]ᵀ·B[M×N]; rows i of C in [lo, hi).
// The M loop is chunked so that the chunk of B stays in cache; accumulation stays sequential in m.
// ---------------------------------------------------------------------------------------------

const MC: i32 = 64;

// If db ≠ 0, the part with lo = 0 also adds the column sums of B to db (bias gradient), chunk by
// chunk while the chunk is in cache; the sum stays sequential in m.
export function mm_tn(lo: i32, hi: i32, C: usize, A: usize, B: usize, M: i32, K: i32, N: i32, db: usize): void {
  const rowA: usize = idx(1, K), rowB: usize = idx(1, N);
  for (let m0 = 0; m0 < M; m0 += MC) {
    const m1 = min(M, m0 + MC);
    const cnt = m1 - m0;
    const Ab = A + idx(m0, K), Bb = B + idx(m0, N);
    if (db != 0 && lo == 0) colsumRows(db, Bb, cnt, N);
    let j = 0;
    for (; j + 8 <= N; j += 8) {
      const cj: usize = <usize>j << 2;
      let i = lo;
      for (; i + 4 <= hi; i += 4) {
        const r0 = C + idx(i, N) + cj, r1 = r0 + rowB, r2 = r1 + rowB, r3 = r2 + rowB;
        let c00 = f4(r0), c01 = f4(r0 + 16), c10 = f4(r1), c11 = f4(r1 + 16);
        let c20 = f4(r2), c21 = f4(r2 + 16), c30 = f4(r3), c31 = f4(r3 + 16);
        let ap = Ab + (<usize>i << 2), bp = Bb + cj;
        for (let m = 0; m < cnt; m++) {
          const b0 = f4(bp), b1 = f4(bp + 16);
          const x0 = v128.load32_splat(ap), x1 = v128.load32_splat(ap + 4);
          const x2 = v128.load32_splat(ap + 8), x3 = v128.load32_splat(ap + 12);
          c00 = f32x4.add(c00, f32x4.mul(x0, b0)); c01 = f32x4.add(c01, f32x4.mul(x0, b1));
          c10 = f32x4.add(c10, f32x4.mul(x1, b0)); c11 = f32x4.add(c11, f32x4.mul(x1, b1));
          c20 = f32x4.add(c20, f32x4.mul(x2, b0)); c21 = f32x4.add(c21, f32x4.mul(x2, b1));
          c30 = f32x4.add(c30, f32x4.mul(x3, b0)); c31 = f32x4.add(c31, f32x4.mul(x3, b1));
          ap += rowA; bp += rowB;
        }
        st4(r0, c00); st4(r0 + 16, c01); st4(r1, c10); st4(r1 + 16, c11);
        st4(r2, c20); st4(r2 + 16, c21); st4(r3, c30); st4(r3 + 16, c31);
      }
      for (; i < hi; i++) {
        const r0 = C + idx(i, N) + cj;
        let c00 = f4(r0), c01 = f4(r0 + 16);
        let ap = Ab + (<usize>i << 2), bp = Bb + cj;
        for (let m = 0; m < cnt; m++) {
          const x0 = v128.load32_splat(ap);
          c00 = f32x4.add(c00, f32x4.mul(x0, f4(bp)));
          c01 = f32x4.add(c01, f32x4.mul(x0, f4(bp + 16)));
          ap += rowA; bp += rowB;
        }
        st4(r0, c00); st4(r0 + 16, c01);
      }
    }
    for (; j + 4 <= N; j += 4) {
      const cj: usize = <usize>j << 2;
      for (let i = lo; i < hi; i++) {
        const r0 = C + idx(i, N) + cj;
        let c0 = f4(r0);
        let ap = Ab + (<usize>i << 2), bp = Bb + cj;
        for (let m = 0; m < cnt; m++) {
          c0 = f32x4.add(c0, f32x4.mul(v128.load32_splat(ap), f4(bp)));
          ap += rowA; bp += rowB;
        }
        st4(r0, c0);
      }
    }
    for (; j < N; j++) {
      const cj: usize = <usize>j << 2;
      for (let i = lo; i < hi; i++) {
        const r0 = C + idx(i, N) + cj;
        let c0 = ldf(r0);
        let ap = Ab + (<usize>i << 2), bp = Bb + cj;
        for (let m = 0; m < cnt; m++) {
          c0 = c0 + ldf(ap) * ldf(bp);
          ap += rowA; bp += rowB;
        }
        stf(r0, c0);
      }
    }
  }
}

@inline function colsumRows(db: usize, dY: usize, M: i32, N: i32): void {
  for (let m = 0; m < M; m++) {
    const r = dY + idx(m, N);
    let j = 0;
    for (; j + 4 <= N; j += 4) {
      const o: usize = <usize>j << 2;
      st4(db + o, f32x4.add(f4(db + o), f4(r + o)));
    }
    for (; j < N; j++) {
      const o: usize = <usize>j << 2;
      stf(db + o, ldf(db + o) + ldf(r + o));
    }
  }
}


// Transpose: dst[C×R] = src[R×C]ᵀ; rows of dst (columns of src) in [lo, hi).
export function transpose(lo: i32, hi: i32, dst: usize, src: usize, R: i32, C: i32): void {
  for (let c = lo; c < hi; c++) {
    const d = dst + idx(c, R);
    let s = src + (<usize>c << 2);
    const row: usize = idx(1, C);
    for (let r = 0; r < R; r++) {
      stf(d + (<usize>r << 2), ldf(s));
      s += row;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Elementwise
// ---------------------------------------------------------------------------------------------



// ---------------------------------------------------------------------------------------------
// Layer norm over rows of width C (eps 1e-5). Rows in [lo, hi).
// ---------------------------------------------------------------------------------------------

export function ln_fwd(lo: i32, hi: i32, out: usize, mean: usize, rstd: usize, inp: usize, g: usize, b: usize, C: i32): void {
  for (let m = lo; m < hi; m++) {
    const x = inp + idx(m, C), y = out + idx(m, C);
    let acc = f32x4.splat(0);
    for (let c = 0; c < C; c += 4) acc = f32x4.add(acc, f4(x + (<usize>c << 2)));
    const mu = hsum(acc) / <f32>C;
    const muv = f32x4.splat(mu);
    acc = f32x4.splat(0);
    for (let c = 0; c < C; c += 4) {
      const d = f32x4.sub(f4(x + (<usize>c << 2)), muv);
      acc = f32x4.add(acc, f32x4.mul(d, d));
    }
    const rs: f32 = 1.0 / Mathf.sqrt(hsum(acc) / <f32>C + 1e-5);
    const rsv = f32x4.splat(rs);
    for (let c = 0; c < C; c += 4) {
      const o: usize = <usize>c << 2;
      st4(y + o, f32x4.add(f32x4.mul(f32x4.mul(f32x4.sub(f4(x + o), muv), rsv), f4(g + o)), f4(b + o)));
    }
    stf(mean + (<usize>m << 2), mu);
    stf(rstd + (<usize>m << 2), rs);
  }
}

// dinp += rstd·(g·dy − mean(g·dy) − x̂·mean(g·dy·x̂)). Rows in [lo, hi).
export function ln_bwd_dx(lo: i32, hi: i32, dinp: usize, dout: usize, inp: usize, mean: usize, rstd: usize, g: usize, C: i32): void {
  for (let m = lo; m < hi; m++) {
    const x = inp + idx(m, C), dy = dout + idx(m, C), dx = dinp + idx(m, C);
    const mu = f32x4.splat(ldf(mean + (<usize>m << 2)));
    const rs1 = ldf(rstd + (<usize>m << 2));
    const rs = f32x4.splat(rs1);
    let a1 = f32x4.splat(0), a2 = f32x4.splat(0);
    for (let c = 0; c < C; c += 4) {
      const o: usize = <usize>c << 2;
      const xh = f32x4.mul(f32x4.sub(f4(x + o), mu), rs);
      const gd = f32x4.mul(f4(g + o), f4(dy + o));
      a1 = f32x4.add(a1, gd);
      a2 = f32x4.add(a2, f32x4.mul(gd, xh));
    }
    const s1 = f32x4.splat(hsum(a1) / <f32>C), s2 = f32x4.splat(hsum(a2) / <f32>C);
    for (let c = 0; c < C; c += 4) {
      const o: usize = <usize>c << 2;
      const xh = f32x4.mul(f32x4.sub(f4(x + o), mu), rs);
      const gd = f32x4.mul(f4(g + o), f4(dy + o));
      st4(dx + o, f32x4.add(f4(dx + o), f32x4.mul(rs, f32x4.sub(f32x4.sub(gd, s1), f32x4.mul(xh, s2)))));
    }
  }
}

// dg[c] += Σ_m dy·x̂, db[c] += Σ_m dy (sequential in m). Columns c in [lo, hi).
export function ln_bwd_params(lo: i32, hi: i32, dg: usize, db: usize, dout: usize, inp: usize, mean: usize, rstd: usize, M: i32, C: i32): void {
  for (let m = 0; m < M; m++) {
    const mu1 = ldf(mean + (<usize>m << 2)), rs1 = ldf(rstd + (<usize>m << 2));
    const mu = f32x4.splat(mu1), rs = f32x4.splat(rs1);
    const x = inp + idx(m, C), dy = dout + idx(m, C);
    let c = lo;
    for (; c + 4 <= hi; c += 4) {
      const o: usize = <usize>c << 2;
      const d = f4(dy + o);
      const xh = f32x4.mul(f32x4.sub(f4(x + o), mu), rs);
      st4(dg + o, f32x4.add(f4(dg + o), f32x4.mul(d, xh)));
      st4(db + o, f32x4.add(f4(db + o), d));
    }
    for (; c < hi; c++) {
      const o: usize = <usize>c << 2;
      const d = ldf(dy + o);
      const xh = (ldf(x + o) - mu1) * rs1;
      stf(dg + o, ldf(dg + o) + d * xh);
      stf(db + o, ldf(db + o) + d);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Embeddings. tokens, pos: i32 per row.
// ---------------------------------------------------------------------------------------------

// out[m] = wte[tok[m]] + wpe[pos[m]]; rows in [lo, hi).
export function embed_fwd(lo: i32, hi: i32, out: usize, tok: usize, pos: usize, wte: usize, wpe: usize, C: i32): void {
  for (let m = lo; m < hi; m++) {
    const t = load<i32>(tok + (<usize>m << 2)), p = load<i32>(pos + (<usize>m << 2));
    const a = wte + idx(t, C), b = wpe + idx(p, C), y = out + idx(m, C);
    for (let c = 0; c < C; c++) {
      const o: usize = <usize>c << 2;
      stf(y + o, ldf(a + o) + ldf(b + o));
    }
  }
}

// dwte[tok[m]] += dout[m], dwpe[pos[m]] += dout[m]; columns c in [lo, hi), rows in order.
export function embed_bwd(lo: i32, hi: i32, dwte: usize, dwpe: usize, dout: usize, tok: usize, pos: usize, M: i32, C: i32): void {
  for (let m = 0; m < M; m++) {
    const t = load<i32>(tok + (<usize>m << 2)), p = load<i32>(pos + (<usize>m << 2));
    const a = dwte + idx(t, C), b = dwpe + idx(p, C), d = dout + idx(m, C);
    for (let c = lo; c < hi; c++) {
      const o: usize = <usize>c << 2;
      const v = ldf(d + o);
      stf(a + o, ldf(a + o) + v);
      stf(b + o, ldf(b + o) + v);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Attention. qkv rows: [q (C) | k (C) | v (C)], head h uses columns h·hd..(h+1)·hd of each.
// ---------------------------------------------------------------------------------------------

@inline function zero(y: usize, n: i32): void {
  for (let i = 0; i < n; i++) stf(y + (<usize>i << 2), 0);
}

// head_dim (hd) is a multiple of 4 (checked by the host).
@inline function dot(a: usize, b: usize, n: i32): f32 {
  let acc = f32x4.splat(0);
  for (let i = 0; i < n; i += 4) acc = f32x4.add(acc, f32x4.mul(f4(a + (<usize>i << 2)), f4(b + (<usize>i << 2))));
  return hsum(acc);
}

// [q·k0, q·k1, q·k2, q·k3] with k_j = k0 + j·ks: four independent accumulators, then a transposed sum.
@inline function dot4(q: usize, k0: usize, ks: usize, n: i32): v128 {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  const k1 = k0 + ks, k2 = k1 + ks, k3 = k2 + ks;
  for (let i = 0; i < n; i += 4) {
    const o: usize = <usize>i << 2;
    const qv = f4(q + o);
    a0 = f32x4.add(a0, f32x4.mul(qv, f4(k0 + o)));
    a1 = f32x4.add(a1, f32x4.mul(qv, f4(k1 + o)));
    a2 = f32x4.add(a2, f32x4.mul(qv, f4(k2 + o)));
    a3 = f32x4.add(a3, f32x4.mul(qv, f4(k3 + o)));
  }
  const s01 = f32x4.add(v128.shuffle<f32>(a0, a1, 0, 4, 1, 5), v128.shuffle<f32>(a0, a1, 2, 6, 3, 7));
  const s23 = f32x4.add(v128.shuffle<f32>(a2, a3, 0, 4, 1, 5), v128.shuffle<f32>(a2, a3, 2, 6, 3, 7));
  return f32x4.add(v128.shuffle<f32>(s01, s23, 0, 1, 4, 5), v128.shuffle<f32>(s01, s23, 2, 3, 6, 7));
}

// out[0..hd) = Σ_{j<n} w[j]·x_j, with w[j] at w + j·ws and x_j = x0 + j·xs; accumulated in registers
// (sequential in j) and written, not added.
@inline function wsum(out: usize, w: usize, ws: usize, x0: usize, xs: usize, n: i32, hd: i32): void {
  let c = 0;
  for (; c + 16 <= hd; c += 16) {
    const co: usize = <usize>c << 2;
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
    let wp = w, xp = x0 + co;
    for (let j = 0; j < n; j++) {
      const p = v128.load32_splat(wp);
      a0 = f32x4.add(a0, f32x4.mul(p, f4(xp)));
      a1 = f32x4.add(a1, f32x4.mul(p, f4(xp + 16)));
      a2 = f32x4.add(a2, f32x4.mul(p, f4(xp + 32)));
      a3 = f32x4.add(a3, f32x4.mul(p, f4(xp + 48)));
      wp += ws;
      xp += xs;
    }
    st4(out + co, a0); st4(out + co + 16, a1); st4(out + co + 32, a2); st4(out + co + 48, a3);
  }
  for (; c < hd; c += 4) {
    const co: usize = <usize>c << 2;
    let a0 = f32x4.splat(0);
    let wp = w, xp = x0 + co;
    for (let j = 0; j < n; j++) {
      a0 = f32x4.add(a0, f32x4.mul(v128.load32_splat(wp), f4(xp)));
      wp += ws;
      xp += xs;
    }
    st4(out + co, a0);
  }
}

// Dot products of q with keys 0..L-1 (stride ks), times scale, into s[0..L).
@inline function scores(s: usize, q: usize, k0: usize, ks: usize, L: i32, hd: i32, scale: f32): void {
  const sc = f32x4.splat(scale);
  let t2 = 0;
  for (; t2 + 4 <= L; t2 += 4) st4(s + (<usize>t2 << 2), f32x4.mul(dot4(q, k0 + <usize>t2 * ks, ks, hd), sc));
  for (; t2 < L; t2++) stf(s + (<usize>t2 << 2), dot(q, k0 + <usize>t2 * ks, hd) * scale);
}

// One query row against keys/values 0..L-1 (row strides ks, vs in bytes): att[0..L) receives the
// probabilities, out[0..hd) = Σ att·v.
@inline function attendRow(out: usize, att: usize, q: usize, k0: usize, v0: usize, ks: usize, vs: usize, L: i32, hd: i32, scale: f32): void {
  scores(att, q, k0, ks, L, hd, scale);
  let mx: f32 = -Infinity;
  for (let j = 0; j < L; j++) mx = max(mx, ldf(att + (<usize>j << 2)));
  const mv = f32x4.splat(mx);
  let sv = f32x4.splat(0);
  let t2 = 0;
  for (; t2 + 4 <= L; t2 += 4) {
    const o: usize = <usize>t2 << 2;
    const e = exp4(f32x4.sub(f4(att + o), mv));
    st4(att + o, e);
    sv = f32x4.add(sv, e);
  }
  let sum = hsum(sv);
  for (; t2 < L; t2++) {
    const e = exp1(ldf(att + (<usize>t2 << 2)) - mx);
    stf(att + (<usize>t2 << 2), e);
    sum += e;
  }
  const inv = f32x4.splat(<f32>1.0 / sum);
  let j = 0;
  for (; j + 4 <= L; j += 4) st4(att + (<usize>j << 2), f32x4.mul(f4(att + (<usize>j << 2)), inv));
  for (; j < L; j++) stf(att + (<usize>j << 2), ldf(att + (<usize>j << 2)) * f32x4.extract_lane(inv, 0));
  wsum(out, att, 4, v0, vs, L, hd);
}

// Training forward. att: [B, NH, T, T] (zeros above the diagonal). (b, h) pairs in [lo, hi).
export function attn_fwd(lo: i32, hi: i32, out: usize, att: usize, qkv: usize, T: i32, C: i32, NH: i32): void {
  const hd = C / NH;
  const scale: f32 = 1.0 / Mathf.sqrt(<f32>hd);
  const rs: usize = idx(1, 3 * C);
  for (let bh = lo; bh < hi; bh++) {
    const b = bh / NH, h = bh % NH;
    const base = qkv + idx(b * T, 3 * C) + idx(h, hd);
    for (let t = 0; t < T; t++) {
      const a = att + idx(bh * T + t, T);
      attendRow(out + idx(b * T + t, C) + idx(h, hd), a, base + <usize>t * rs, base + idx(C, 1), base + idx(2 * C, 1), rs, rs, t + 1, hd, scale);
      for (let t2 = t + 1; t2 < T; t2++) stf(a + (<usize>t2 << 2), 0);
    }
  }
}

// Training backward. Writes (not accumulates) dqkv for its (b, h) slices. datt: scratch [B,NH,T,T].
//   pass 1 (rows t): datt = dy_t·v_t2; dpre = att·(datt − Σ att·datt)·scale; dq_t = Σ_t2 dpre·k_t2
//   pass 2 (columns t2): dk_t2 = Σ_{t≥t2} dpre[t][t2]·q_t; dv_t2 = Σ_{t≥t2} att[t][t2]·dy_t
export function attn_bwd(lo: i32, hi: i32, dqkv: usize, datt: usize, dout: usize, qkv: usize, att: usize, T: i32, C: i32, NH: i32): void {
  const hd = C / NH;
  const scale: f32 = 1.0 / Mathf.sqrt(<f32>hd);
  const rs: usize = idx(1, 3 * C), ds: usize = idx(1, C), ts: usize = idx(1, T);
  const kOff = idx(C, 1), vOff = idx(2 * C, 1);
  for (let bh = lo; bh < hi; bh++) {
    const b = bh / NH, h = bh % NH;
    const base = qkv + idx(b * T, 3 * C) + idx(h, hd);
    const dbase = dqkv + idx(b * T, 3 * C) + idx(h, hd);
    const dy0 = dout + idx(b * T, C) + idx(h, hd);
    const a0 = att + idx(bh * T, T), d0 = datt + idx(bh * T, T);
    for (let t = 0; t < T; t++) {
      const a = a0 + <usize>t * ts, da = d0 + <usize>t * ts;
      const L = t + 1;
      scores(da, dy0 + <usize>t * ds, base + vOff, rs, L, hd, 1.0);
      let sv = f32x4.splat(0);
      let j = 0;
      for (; j + 4 <= L; j += 4) sv = f32x4.add(sv, f32x4.mul(f4(a + (<usize>j << 2)), f4(da + (<usize>j << 2))));
      let s = hsum(sv);
      for (; j < L; j++) s += ldf(a + (<usize>j << 2)) * ldf(da + (<usize>j << 2));
      const svv = f32x4.splat(s), sc = f32x4.splat(scale);
      j = 0;
      for (; j + 4 <= L; j += 4) {
        const o: usize = <usize>j << 2;
        st4(da + o, f32x4.mul(f32x4.mul(f4(a + o), f32x4.sub(f4(da + o), svv)), sc));
      }
      for (; j < L; j++) {
        const o: usize = <usize>j << 2;
        stf(da + o, ldf(a + o) * (ldf(da + o) - s) * scale);
      }
      wsum(dbase + <usize>t * rs, da, 4, base + kOff, rs, L, hd);
    }
    for (let t2 = 0; t2 < T; t2++) {
      const n = T - t2;
      wsum(dbase + <usize>t2 * rs + kOff, d0 + <usize>t2 * ts + (<usize>t2 << 2), ts, base + <usize>t2 * rs, rs, n, hd);
      wsum(dbase + <usize>t2 * rs + vOff, a0 + <usize>t2 * ts + (<usize>t2 << 2), ts, dy0 + <usize>t2 * ds, ds, n, hd);
    }
  }
}

// Decode step (KV cache). For row m: slot = slots[m], p = pos[m]; writes k, v of the row into
// kc/vc[slot][p] ([S, Tmax, C] each) then attends over 0..p. att: scratch [rows, NH, Tmax].
// Rows in [lo, hi).
export function attn_decode(lo: i32, hi: i32, out: usize, att: usize, qkv: usize, kc: usize, vc: usize, slots: usize, pos: usize, C: i32, NH: i32, Tmax: i32): void {
  const hd = C / NH;
  const scale: f32 = 1.0 / Mathf.sqrt(<f32>hd);
  const rs: usize = idx(1, C);
  for (let m = lo; m < hi; m++) {
    const s = load<i32>(slots + (<usize>m << 2)), p = load<i32>(pos + (<usize>m << 2));
    const row = qkv + idx(m, 3 * C);
    const kb = kc + idx(s * Tmax, C), vb = vc + idx(s * Tmax, C);
    memory.copy(kb + idx(p, C), row + idx(C, 1), <usize>C << 2);
    memory.copy(vb + idx(p, C), row + idx(2 * C, 1), <usize>C << 2);
    for (let h = 0; h < NH; h++) {
      attendRow(out + idx(m, C) + idx(h, hd), att + idx(m * NH + h, Tmax), row + idx(h, hd), kb + idx(h, hd), vb + idx(h, hd), rs, rs, p + 1, hd, scale);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Output: log-softmax statistics and the gradient of Σ_m w_m·log p(y_m).
// ---------------------------------------------------------------------------------------------

// lse[m] = log Σ_v exp(logits[m][v]); rows in [lo, hi).
export function logsumexp_rows(lo: i32, hi: i32, lse: usize, logits: usize, V: i32): void {
  for (let m = lo; m < hi; m++) {
    const z = logits + idx(m, V);
    let mx: f32 = -Infinity;
    for (let v = 0; v < V; v++) mx = max(mx, ldf(z + (<usize>v << 2)));
    let s: f32 = 0;
    let v = 0;
    const mv = f32x4.splat(mx);
    let acc = f32x4.splat(0);
    for (; v + 4 <= V; v += 4) acc = f32x4.add(acc, exp4(f32x4.sub(f4(z + (<usize>v << 2)), mv)));
    s = hsum(acc);
    for (; v < V; v++) s += exp1(ldf(z + (<usize>v << 2)) - mx);
    stf(lse + (<usize>m << 2), mx + Mathf.log(s));
  }
}

// In place: logits[m][v] ← w[m]·(δ(v = y[m]) − exp(logits[m][v] − lse[m])). Rows in [lo, hi).
export function logit_grad(lo: i32, hi: i32, logits: usize, lse: usize, targets: usize, w: usize, V: i32): void {
  for (let m = lo; m < hi; m++) {
    const z = logits + idx(m, V);
    const wm = ldf(w + (<usize>m << 2));
    if (wm == 0) {
      zero(z, V);
      continue;
    }
    const l = ldf(lse + (<usize>m << 2));
    const y = load<i32>(targets + (<usize>m << 2));
    const lv = f32x4.splat(l), wv = f32x4.splat(-wm);
    let v = 0;
    for (; v + 4 <= V; v += 4) {
      const o: usize = <usize>v << 2;
      st4(z + o, f32x4.mul(wv, exp4(f32x4.sub(f4(z + o), lv))));
    }
    for (; v < V; v++) {
      const o: usize = <usize>v << 2;
      stf(z + o, -wm * exp1(ldf(z + o) - l));
    }
    const yo: usize = <usize>y << 2;
    stf(z + yo, ldf(z + yo) + wm);
  }
}

// ---------------------------------------------------------------------------------------------
// Optimizer
// ---------------------------------------------------------------------------------------------

// out[c] = Σ x² over chunk c (elements c·chunk .. min(n, (c+1)·chunk)); chunks in [lo, hi).
export function sumsq_chunks(lo: i32, hi: i32, out: usize, x: usize, n: i32, chunk: i32): void {
  for (let c = lo; c < hi; c++) {
    const a = c * chunk, b = min(n, a + chunk);
    let acc = f32x4.splat(0);
    let i = a;
    for (; i + 4 <= b; i += 4) {
      const v = f4(x + (<usize>i << 2));
      acc = f32x4.add(acc, f32x4.mul(v, v));
    }
    let s = hsum(acc);
    for (; i < b; i++) {
      const v = ldf(x + (<usize>i << 2));
      s += v * v;
    }
    stf(out + (<usize>c << 2), s);
  }
}

// AdamW on elements [lo, hi): g ← gscale·grad; m ← b1 m + (1−b1) g; v ← b2 v + (1−b2) g²;
// p ← p − lr·(m/bc1 / (√(v/bc2) + eps) + wd·p).
export function adamw(lo: i32, hi: i32, p: usize, g: usize, m: usize, v: usize, lr: f32, b1: f32, b2: f32, eps: f32, wd: f32, bc1: f32, bc2: f32, gscale: f32): void {
  for (let i = lo; i < hi; i++) {
    const o: usize = <usize>i << 2;
    const gr = ldf(g + o) * gscale;
    const mm = b1 * ldf(m + o) + (1 - b1) * gr;
    const vv = b2 * ldf(v + o) + (1 - b2) * gr * gr;
    stf(m + o, mm);
    stf(v + o, vv);
    const pp = ldf(p + o);
    stf(p + o, pp - lr * ((mm / bc1) / (Mathf.sqrt(vv / bc2) + eps) + wd * pp));
  }
}
