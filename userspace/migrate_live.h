/* SPDX-License-Identifier: GPL-2.0 */
/*
 * migrate_live.h - `tvmm migrate --live` (migrate_live.c): pre-copy live
 * migration of a running VM to another tvmm process.
 */
#ifndef TVMM_MIGRATE_LIVE_H
#define TVMM_MIGRATE_LIVE_H

/* argv[0] is "migrate"; its options include --live. An exit status. */
int migrate_live_main(int argc, char **argv);

#endif /* TVMM_MIGRATE_LIVE_H */
