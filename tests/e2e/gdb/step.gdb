# Stepping through the source: step into calls, next over lines,
# finish out of them. gdb.sh replaces @NAME@ by the line of the
# /* @NAME */ marker.
set pagination off
set confirm off
set breakpoint pending on
break prog.c:@main_call@
run
echo ==step1==\n
step
echo ==next1==\n
next
echo ==next2==\n
next
echo ==next3==\n
next
echo ==step2==\n
step
echo ==step3==\n
step
echo ==next4==\n
next
echo ==finish1==\n
finish
echo ==finish2==\n
finish
echo ==end==\n
kill
