"""The command line: dump prints generated source; errors are one located message, no
traceback, with exit status 2 (bad path or name) or 1 (unsupported code)."""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(*args):
    return subprocess.run([sys.executable, "-m", "srcgrad", *args], capture_output=True,
                          text=True, cwd=ROOT)


def test_dump_prints_adjoint_source():
    r = run("dump", "examples/rosenbrock.py:rosenbrock")
    assert r.returncode == 0, r.stderr
    assert "def rosenbrock_vjp(x, bs):" in r.stdout
    assert "# grad of: s += 100.0 * (x[i + 1] - x[i] ** 2) ** 2" in r.stdout
    assert "\x1b[" not in r.stdout  # piped: no colour
    compile(r.stdout, "dump", "exec")  # valid Python


def test_dump_wrt_and_primal_mode():
    r = run("dump", "tests/test_constructs.py:recurrence", "--wrt", "x0,dt")
    assert r.returncode == 0, r.stderr
    assert "return (bx0, bdt)" in r.stdout
    r = run("dump", "tests/test_constructs.py:recurrence", "--mode", "primal")
    assert r.returncode == 0 and "def recurrence_primal" in r.stdout


def test_colour_only_on_request_of_a_terminal():
    from srcgrad.cli import colorize
    assert "\x1b[" in colorize("def f(x):\n    # grad of: y\n    return x\n")


def test_bad_path_and_missing_function():
    r = run("dump", "no/such/file.py:f")
    assert r.returncode == 2 and "no such file" in r.stderr and "Traceback" not in r.stderr
    r = run("dump", "examples/rosenbrock.py:nothing")
    assert r.returncode == 2 and "has no function 'nothing'" in r.stderr
    r = run("dump", "examples/rosenbrock.py")
    assert r.returncode == 2 and "FILE.py:FUNCTION" in r.stderr


def test_unsupported_code_is_located():
    r = run("dump", "tests/unsupported_cases.py:uses_try")
    assert r.returncode == 1
    assert "unsupported_cases.py:" in r.stderr and "try/except" in r.stderr
    assert "Traceback" not in r.stderr


def test_console_script_entry_point():
    import srcgrad.cli
    assert srcgrad.cli.main(["dump", os.path.join(ROOT, "examples/rosenbrock.py:rosenbrock"),
                             "--no-color"]) == 0


def test_dump_forward_mode():
    r = run("dump", "examples/rosenbrock.py:rosenbrock", "--mode", "forward")
    assert r.returncode == 0, r.stderr
    assert "def rosenbrock_jvp(x, dx):" in r.stdout and "# tangent of:" in r.stdout


def test_dump_of_array_functions_says_kinds_were_guessed():
    for fn, guessed in (("log_softmax_sum", "z: 2-D float array"), ("gathered", "x: 1-D float array")):
        r = run("dump", f"tests/test_trust.py:{fn}")
        assert "Traceback" not in r.stderr, r.stderr
        assert r.returncode == 0, r.stderr
        assert r.stdout.startswith("# argument kinds guessed") and guessed in r.stdout


def test_target_output_and_exit_stay_out_of_the_source(tmp_path):
    noisy = tmp_path / "noisy.py"
    noisy.write_text("print('hello from import')\n\ndef f(x):\n    return x * x\n")
    r = run("dump", f"{noisy}:f")
    assert r.returncode == 0 and "hello" not in r.stdout and "hello" in r.stderr
    compile(r.stdout, "dump", "exec")
    quits = tmp_path / "quits.py"
    quits.write_text("import sys\nsys.exit(0)\n\ndef f(x):\n    return x\n")
    r = run("dump", f"{quits}:f")
    assert r.returncode == 2 and "SystemExit" in r.stderr and "Traceback" not in r.stderr
    r = run("dump", f"{noisy}:f", "--wrt", "x,x")
    assert r.returncode == 2 and "twice" in r.stderr
    assert "runs its top-level code" in " ".join(run("--help").stdout.split())
