# Every recipe builds its own virtual environment in .venv and installs aisclient with its test extra.
python := env_var_or_default("PYTHON", "python3")
venv := ".venv"
bin := venv + "/bin"

# Create .venv and install the package (editable) with the given extras; re-runs only when
# pyproject changes. The tests need torch (a large download); the demo does not.
setup extras="test,torch":
    #!/usr/bin/env bash
    set -euo pipefail
    if [ ! -x {{bin}}/python ]; then {{python}} -m venv {{venv}}; fi
    hash=$(sha256sum pyproject.toml | cut -c1-16)
    stamp={{venv}}/.installed-$hash-$(echo '{{extras}}' | tr ',' '-')
    if [ ! -f "$stamp" ]; then
        {{bin}}/python -m pip install --quiet --upgrade pip
        {{bin}}/python -m pip install --quiet -e '.[{{extras}}]'
        find {{venv}} -maxdepth 1 -name '.installed-*' ! -name ".installed-$hash-*" -delete
        touch "$stamp"
    fi

# Lint and type-check.
lint: setup
    {{bin}}/ruff check src tests property_tests bench
    {{bin}}/ruff format --check src tests property_tests bench
    {{bin}}/mypy --strict src/aisclient

# Lint, type-check, then run every test (unit, property, integration).
test: lint
    {{bin}}/python -m pytest {{ if env_var_or_default("CI", "") == "" { "" } else { "-p no:cacheprovider" } }}

# Benchmarks: a table of ratios measured in one run. They run from their own .venv-bench, which
# also holds the official SDK (aistore 2.0.0) and s3fs as baselines; aisclient never imports them.
bench *ARGS:
    #!/usr/bin/env bash
    set -euo pipefail
    if [ ! -x .venv-bench/bin/python ]; then {{python}} -m venv .venv-bench; fi
    echo '*' > .venv-bench/.gitignore  # never committed
    stamp=.venv-bench/.installed-$(sha256sum pyproject.toml | cut -c1-16)
    if [ ! -f "$stamp" ]; then
        .venv-bench/bin/python -m pip install --quiet --upgrade pip
        .venv-bench/bin/python -m pip install --quiet -e '.[torch,fsspec]' aistore==2.0.0 alive-progress s3fs pandas pyarrow
        rm -f .venv-bench/.installed-*; touch "$stamp"
    fi
    .venv-bench/bin/python -m bench {{ARGS}}

# The demo: against AIS_ENDPOINT when set, else an embedded LocalCluster.
demo: (setup "test")
    {{bin}}/python -m aisclient.demo
