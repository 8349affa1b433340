/*
 * inspect.h — the `welf inspect` subcommand (CLI only, not part of the
 * compiler library).
 */
#ifndef WELF_INSPECT_H
#define WELF_INSPECT_H

/* Runs `welf inspect` on its arguments; returns the exit status. */
int welf_cli_inspect(int argc, char **argv);

#endif
