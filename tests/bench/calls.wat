;; calls.wat — the call benchmark's module (tests/bench/call_bench.c):
;; two exported functions of the two benchmark shapes, () -> () and
;; (i32, i64) -> f32, the same shapes imported from the host, and loops
;; that call the imports directly or any of the four through a table.
;; `mix` adds its arguments as integers and returns the sum's bits as an
;; f32, and the loops xor those bits together: no float arithmetic, so
;; no float latency chain hides the cost of the calls.

(module
  (type $nop_t (func))
  (type $mix_t (func (param i32 i64) (result f32)))
  (import "bench" "nop" (func $h_nop (type $nop_t)))
  (import "bench" "mix" (func $h_mix (type $mix_t)))

  ;; 0: wasm nop, 1: wasm mix, 2: host nop, 3: host mix
  (table 4 funcref)
  (elem (i32.const 0) func $nop $mix $h_nop $h_mix)

  (func $nop (export "nop") (type $nop_t))

  (func $mix (export "mix") (type $mix_t)
    (f32.reinterpret_i32
      (i32.add (local.get 0) (i32.wrap_i64 (local.get 1)))))

  ;; n calls of the imported nop (n > 0)
  (func (export "host_nop_loop") (param $n i32)
    (loop $l
      (call $h_nop)
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))

  ;; n calls of the imported mix, xoring the results' bits
  (func (export "host_mix_loop") (param $n i32) (result i32)
    (local $acc i32)
    (loop $l
      (local.set $acc
        (i32.xor (local.get $acc)
                 (i32.reinterpret_f32
                   (call $h_mix (local.get $n)
                                (i64.extend_i32_u (local.get $n))))))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $acc))

  ;; n calls of table element $idx, of type nop
  (func (export "ind_nop_loop") (param $n i32) (param $idx i32)
    (loop $l
      (call_indirect (type $nop_t) (local.get $idx))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))

  ;; n calls of table element $idx, of type mix, xoring the results' bits
  (func (export "ind_mix_loop") (param $n i32) (param $idx i32) (result i32)
    (local $acc i32)
    (loop $l
      (local.set $acc
        (i32.xor (local.get $acc)
                 (i32.reinterpret_f32
                   (call_indirect (type $mix_t)
                     (local.get $n) (i64.extend_i32_u (local.get $n))
                     (local.get $idx)))))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $acc)))
