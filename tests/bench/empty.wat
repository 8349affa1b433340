;; empty.wat — the instantiation benchmark's baseline: a module with
;; nothing in it (tests/bench/call_bench.c).
(module)
