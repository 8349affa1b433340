;; A small module for the static-link test: recursion, memory, a global,
;; multiple results and a trap.
(module
  (memory 1)
  (global $count (mut i32) (i32.const 0))
  (func $fac (export "fac") (param i64) (result i64)
    (global.set $count (i32.add (global.get $count) (i32.const 1)))
    (if (result i64) (i64.eqz (local.get 0))
      (then (i64.const 1))
      (else (i64.mul (local.get 0)
                     (call $fac (i64.sub (local.get 0) (i64.const 1)))))))
  (func (export "calls") (result i32) (global.get $count))
  (func (export "divmod") (param i32 i32) (result i32 i32)
    (i32.div_u (local.get 0) (local.get 1))
    (i32.rem_u (local.get 0) (local.get 1)))
  (func (export "greeting") (result i32) (i32.load (i32.const 0)))
  (data (i32.const 0) "welf"))
