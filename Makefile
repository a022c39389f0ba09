# SPDX-License-Identifier: GPL-2.0
#
# tvmm top-level Makefile.
#
# The module only loads into the kernel it was built for, so by default it
# is built against the lab VM's own kernel tree (the tiny kernel cached in
# ~/.cache/tvmm/), never against the host's running kernel. Pass KDIR= to
# build against another tree, e.g. the Debian headers:
#   make module KDIR=/usr/src/linux-headers-6.12.117+deb12-amd64
#
# Main entry points (see README.md):
#   make demo          boot the lab VM, load tvmm, show what it does
#   make containers-demo   a container (unshare) next to a tvmm guest
#   make check         the developer loop: host tier + the kselftest VM steps,
#                      one step per CPU; ends with "N passed, N failed, N skipped";
#                      a host step that passed with the same inputs is reused
#                      (TVMM_CHECK_REUSE=0 make check: run every one)
#   make check-full    every test (what CI runs): make check plus the lab
#                      stages, grade-all, a fuzz batch and a mutant sample
#   make labvm-shell   the lab VM on your terminal (serial console)
#   make labvm-run FILES="a.bin" CMD="tvmm caps"   run CMD in the lab VM
#
# Fuzzing (tests/fuzz/README.md; the debug lab kernel unless FUZZ_KERNEL=normal):
#   make fuzz [SEED=S] [N=guests] [FIRST=I] [MODES=hw,patch]   random guests, every mode
#   make fuzz-ioctl [SEED=S] [N=calls]    random /dev/tvmm calls, threads, rmmod
#   make check-debug                      selftests + a fuzz batch on the debug kernel
#
# Docs (docs/README.md):
#   make docs | slides                    pages / decks, numbers filled in
#   make slides LANG=it                   the Italian decks (build/slides/it/)
#   make figures [FORCE=1]                measure the numbers they quote
#
# Labs (labs/README.md, docs/instructor-guide.md):
#   make olddefconfig | menuconfig | setconfig SET="TVMM_LAB05_SOLUTION=n"
#   make grade LAB=05                     grade this tree's lab 05
#        [HINTS=1|2|3] [SEED=S]           hint tier; the guests' variant
#        [HINTS_LANG=it]                  the hints in Italian
#   make grade-all SUBMISSIONS=DIR [SEEDS=FILE] [JOBS=N]  grade a class (N at
#                                         once), write a gradebook and exports
#   make gradescope LAB=05 [VISIBILITY=hidden]  Gradescope autograder bundle
#   make handout LABS="05 06" [SEED=S]    a student tree without those solutions
#        [LANG=it]                        its lab pages and hints in Italian
#   make mutants [LAB=NN]                 grade the plausible wrong solutions
#                                         of tests/mutants/: each must fail

ROOT := $(CURDIR)
LABVM := $(ROOT)/tests/labvm

# The lab VM kernel tree; computed only when a target needs it, because
# asking for it builds the tiny kernel on a cold cache (about 3 minutes).
KDIR ?= $(shell $(LABVM)/kernel.sh --kdir)

.PHONY: all module userspace guests selftests kernel check check-full test-host test-vm \
	demo containers-demo labvm-run labvm-shell deps clean help docs slides \
	olddefconfig menuconfig setconfig config grade grade-all handout gradescope mutants

all: module userspace guests

help:
	@sed -n '3,/^$$/{/^#/p}' Makefile | sed 's/^# \{0,1\}//'

deps:
	bash tests/deps.sh

kernel:
	$(LABVM)/kernel.sh

# --- lab stages: Kconfig -> .config -> module/generated/tvmm_config.h --------
# kconfiglib (python3-kconfiglib) is the Kconfig implementation; it lives in
# Debian's python, not in a pyenv or venv one.
PYTHON ?= /usr/bin/python3
KCONFIG_CONFIG ?= .config
export KCONFIG_CONFIG
CONFIG_HEADER := module/generated/tvmm_config.h
KCONFIG_FILES := Kconfig $(wildcard labs/*/Kconfig)

# A missing or outdated .config gets the defaults for new symbols.
$(KCONFIG_CONFIG): $(KCONFIG_FILES)
	$(PYTHON) -m olddefconfig Kconfig

$(CONFIG_HEADER): $(KCONFIG_CONFIG)
	@mkdir -p $(dir $@)
	$(PYTHON) -m genconfig --header-path $@ Kconfig

config: $(CONFIG_HEADER)

olddefconfig:
	@mkdir -p $(dir $(CONFIG_HEADER))
	$(PYTHON) -m olddefconfig Kconfig
	$(PYTHON) -m genconfig --header-path $(CONFIG_HEADER) Kconfig

menuconfig:
	@mkdir -p $(dir $(CONFIG_HEADER))
	$(PYTHON) -m menuconfig Kconfig
	$(PYTHON) -m genconfig --header-path $(CONFIG_HEADER) Kconfig

# make setconfig SET="TVMM_LAB05_SOLUTION=n TVMM_LAB06_SOLUTION=n"
setconfig: $(KCONFIG_CONFIG)
	@mkdir -p $(dir $(CONFIG_HEADER))
	$(PYTHON) -m setconfig --kconfig Kconfig $(SET)
	$(PYTHON) -m genconfig --header-path $(CONFIG_HEADER) Kconfig

module: $(CONFIG_HEADER)
	$(MAKE) -C $(KDIR) M=$(ROOT) modules

# --- grading and handouts (tests/grade/) ----------------------------------------
grade:
	HINTS=$(HINTS) HINTS_LANG=$(HINTS_LANG) SEED=$(SEED) bash tests/grade/grade.sh $(LAB)

grade-all:
	SEEDS=$(SEEDS) LAB=$(LAB) JOBS=$(JOBS) bash tests/grade/grade-all.sh $(SUBMISSIONS)

# LANG is also the locale's variable: only make's command line (make
# handout LANG=it) chooses the pages' language
handout:
	SEED=$(SEED) HANDOUT_LANG=$(if $(filter command line,$(origin LANG)),$(LANG),en) \
		bash tests/grade/handout.sh $(LABS)

# build/gradescope/labNN.zip: Gradescope's autograder bundle for lab NN
gradescope:
	VISIBILITY=$(VISIBILITY) bash tests/grade/gradescope/bundle.sh $(LAB)

# every mutant of tests/mutants/*.mutants must fail its lab's autograder
mutants:
	bash tests/mutants/run.sh $(if $(LAB),--lab $(LAB))

userspace: $(CONFIG_HEADER)
	$(MAKE) -C userspace

guests:
	$(MAKE) -C guests

selftests:
	$(MAKE) -C tests/selftests/tvmm KDIR=$(KDIR)

# The steps run side by side, one per CPU (tests/check.sh; -j N: JOBS=N).
check:
	bash tests/check.sh --quick $(if $(JOBS),-j $(JOBS))

check-full:
	bash tests/check.sh $(if $(JOBS),-j $(JOBS))

test-host:
	bash tests/check.sh --host-only $(if $(JOBS),-j $(JOBS))

test-vm:
	bash tests/check.sh --vm-only $(if $(JOBS),-j $(JOBS))

demo:
	bash $(LABVM)/demo.sh

containers-demo:
	bash $(LABVM)/containers_demo.sh

labvm-run: guests
	bash $(LABVM)/labvm.sh run --files "$(FILES)" --cmd "$(CMD)"

labvm-shell:
	bash $(LABVM)/labvm.sh shell

# make fuzz / fuzz-ioctl / check-debug: tests/fuzz/README.md
.PHONY: fuzz fuzz-ioctl check-debug
fuzz:
	bash tests/fuzz/run.sh guest $(if $(SEED),--seed $(SEED)) $(if $(N),--guests $(N)) \
		$(if $(FIRST),--first $(FIRST)) $(if $(MODES),--modes $(MODES))

fuzz-ioctl:
	bash tests/fuzz/run.sh ioctl $(if $(SEED),--seed $(SEED)) $(if $(N),--calls $(N))

check-debug:
	bash tests/fuzz/check-debug.sh

# make bench: exit round-trip costs, tvmm vs floor vs KVM (tests/bench/README.md)
.PHONY: bench
bench:
	bash tests/bench/run.sh

# make figures: every measured number the pages, labs and slides quote,
# from one lab VM run (the demo workloads and make bench), into
# build/figures/numbers.json; done again only when module/, guests/,
# userspace/ or the bench change (tests/figures/README.md). Boots the lab
# VM.
.PHONY: figures
figures:
	bash tests/figures/run.sh $(if $(FORCE),--force)

# make docs: docs/*.md, docs/figures/*.dot and the man page rendered to
# build/docs/; make slides: the decks of slides/ to build/slides/ (both
# make figures first, for the numbers)
docs:
	$(MAKE) -C docs

slides:
	$(MAKE) -C slides

clean:
	-$(MAKE) -C $(KDIR) M=$(ROOT) clean 2>/dev/null
	$(MAKE) -C userspace clean
	-$(MAKE) -C guests clean
	-$(MAKE) -C tests/selftests/tvmm clean
	rm -rf build module/generated
