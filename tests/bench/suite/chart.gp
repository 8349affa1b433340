# chart.gp — the benchmark chart: time relative to native code per
# program and runtime, from suite.sh's results.tsv (BENCH_REPORT).
#
#   gnuplot -e "data='results.tsv'; out='benchmarks.png'" chart.gp

set terminal pngcairo size 1400,560 font "sans,11"
set output out
set title "Run time relative to native code (clang -O2), median of runs; lower is better"
set datafile columnheaders
stats data using "r_welf" nooutput
set xrange [-0.7:STATS_records - 0.3]
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set ylabel "time / native time"
set yrange [0:*]
set grid ytics
set xtics rotate by -40 scale 0
set key top left
set arrow from graph 0, first 1 to graph 1, first 1 nohead dashtype 2 lc rgb "black"
set key autotitle columnhead
plot data using "r_welf":xtic(1) title "welf" lc rgb "#1f77b4", \
     '' using "r_wasm2c" title "wasm2c + clang -O2" lc rgb "#ff7f0e", \
     '' using "r_v8" title "V8 (node --no-liftoff)" lc rgb "#2ca02c"
