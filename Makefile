# Shortcuts for the scripts in scripts/ (each installs what it needs on first use).
#   make installer   build the Linux tarball into dist/ and self-test the built app
#   make test        ruff, mypy, import contracts and the whole test suite (ARGS="tests/core -q" to narrow)
#   make run         run the desktop app (ARGS="--help" for the command line)
#   make screenshots one PNG per wizard page into screenshots/
.PHONY: installer screenshots test run

installer:
	bash scripts/build-installer.sh $(OUT)

screenshots:
	bash scripts/screenshots.sh $(OUT)

test:
	bash scripts/run-tests.sh $(ARGS)

run:
	bash scripts/run-app.sh $(ARGS)
