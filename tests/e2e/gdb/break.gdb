# A source breakpoint three calls deep, the backtrace, then finish and
# next. gdb.sh replaces @NAME@ by the line of the /* @NAME */ marker.
set pagination off
set confirm off
set breakpoint pending on
break scale.c:@scale@
run
echo ==bt==\n
bt 4
echo ==finish==\n
finish
echo ==next==\n
next
echo ==end==\n
kill
