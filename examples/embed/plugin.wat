;; plugin.wat — a module an embedder loads: it imports two host
;; functions (one typed, one untyped) and exports functions that use them.
(module
  (import "host" "log" (func $log (param i32 i32)))        ;; untyped host
  (import "host" "scale" (func $scale (param f64) (result f64)))  ;; typed
  (memory (export "memory") 1)
  (data (i32.const 16) "step")
  (global $calls (mut i32) (i32.const 0))

  ;; sum of scale(i) for i in [0, n), logging each step
  (func (export "run") (param $n i32) (result f64)
    (local $i i32) (local $sum f64)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (call $log (i32.const 16) (local.get $i))
        (local.set $sum (f64.add (local.get $sum)
                                 (call $scale (f64.convert_i32_u (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
    (local.get $sum))

  ;; how many times run was called on this instance
  (func (export "calls") (result i32) (global.get $calls))

  (func (export "mul") (param i32 i64) (result i64)
    (i64.mul (i64.extend_i32_s (local.get 0)) (local.get 1))))
