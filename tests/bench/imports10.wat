;; imports10.wat — the instantiation benchmark's module
;; (tests/bench/call_bench.c): one memory of one page and ten imported
;; functions of four signatures, all reachable from an export so none is
;; dead.

(module
  (type $v_v (func))
  (type $i_i (func (param i32) (result i32)))
  (type $ii_i (func (param i32 i32) (result i32)))
  (type $il_f (func (param i32 i64) (result f32)))
  (import "env" "f0" (func $f0 (type $v_v)))
  (import "env" "f1" (func $f1 (type $v_v)))
  (import "env" "f2" (func $f2 (type $i_i)))
  (import "env" "f3" (func $f3 (type $i_i)))
  (import "env" "f4" (func $f4 (type $i_i)))
  (import "env" "f5" (func $f5 (type $ii_i)))
  (import "env" "f6" (func $f6 (type $ii_i)))
  (import "env" "f7" (func $f7 (type $ii_i)))
  (import "env" "f8" (func $f8 (type $il_f)))
  (import "env" "f9" (func $f9 (type $il_f)))
  (memory (export "memory") 1)

  (func (export "run") (param $x i32) (result i32)
    (call $f0)
    (call $f1)
    (local.set $x (call $f2 (local.get $x)))
    (local.set $x (call $f3 (local.get $x)))
    (local.set $x (call $f4 (local.get $x)))
    (local.set $x (call $f5 (local.get $x) (i32.load (i32.const 0))))
    (local.set $x (call $f6 (local.get $x) (local.get $x)))
    (local.set $x (call $f7 (local.get $x) (local.get $x)))
    (i32.store (i32.const 0) (local.get $x))
    (i32.add
      (i32.trunc_sat_f32_s
        (call $f8 (local.get $x) (i64.extend_i32_s (local.get $x))))
      (i32.trunc_sat_f32_s
        (call $f9 (local.get $x) (i64.extend_i32_u (local.get $x)))))))
