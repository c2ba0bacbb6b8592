# The two set-up commands of the README.
.PHONY: demo test

demo:
	@bash scripts/setup.sh demo
	.venv/bin/learnkit demo

test:
	@bash scripts/setup.sh test
	.venv/bin/learnkit db lint
	.venv/bin/pytest
