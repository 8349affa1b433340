/*
 * run_cmd.h — the `welf run` command (run_cmd.c).
 */
#ifndef WELF_RUN_CMD_H
#define WELF_RUN_CMD_H

/* argv holds what follows "run"; returns the process exit status. */
int welf_cmd_run(int argc, char **argv);

/* Its usage lines, for welf --help (the runner options follow them). */
extern const char welf_run_cmd_usage[];

#endif
