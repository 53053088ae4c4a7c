// scripts/setup.sh decides what to install from what it finds. On a machine without the
// tools it must decide to install them (a fresh clone once died before deciding
// anything); a failing step must say which step it was.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, symlinkSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** A PATH with only the basic commands the plan itself uses: no cargo, rustc, wasm tools, browser, Elixir. */
function barePath(dir) {
  const bin = path.join(dir, "bin");
  mkdirSync(bin);
  for (const tool of ["dirname", "basename", "cat", "sha1sum", "cut", "tr", "mkdir"]) {
    symlinkSync(`/usr/bin/${tool}`, path.join(bin, tool));
  }
  return bin;
}

function plan(env) {
  const r = spawnSync("/bin/bash", [path.join(root, "scripts/setup.sh"), "--plan"], { cwd: root, env, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

test("setup --plan with the tools hidden from PATH and no stamp decides to install everything", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "setup-plan-"));
  try {
    mkdirSync(path.join(dir, "cargo"));
    const out = plan({ PATH: barePath(dir), HOME: dir, CARGO_HOME: path.join(dir, "cargo"), SETUP_STAMP: path.join(dir, "no-stamp") });
    assert.match(
      out,
      /wasm toolchain: +install \(missing: wasm32-std wasm-bindgen wasm-bindgen-test-runner wasm-pack wasm-opt chromedriver chromium\)/,
      out,
    );
    assert.match(out, /Elixir\/Erlang: +install \(elixir erlang-nox erlang-dev rebar3\)/, out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("setup --plan with the tools present but no stamp checks the toolchain again; with its stamp it is warm", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "setup-plan-"));
  try {
    const noStamp = plan({ ...process.env, SETUP_STAMP: path.join(dir, "no-stamp") });
    assert.match(noStamp, /wasm toolchain: +check \(/, noStamp);
    // npm test ran setup before this test, so the stamp of that run is there
    const warm = plan({ ...process.env });
    assert.match(warm, /wasm toolchain: +ok\n/, warm);
    assert.match(warm, /Elixir\/Erlang: +ok\n/, warm);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a failing step of the scripts names the step", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "setup-step-"));
  try {
    const script = path.join(dir, "failing.sh");
    writeFileSync(script, `set -Eeuo pipefail\nsource "${root}/scripts/env.sh"\nstep "the example step"\nfalse\necho unreachable\n`);
    const r = spawnSync("/bin/bash", [script], { encoding: "utf8" });
    assert.notEqual(r.status, 0);
    assert.doesNotMatch(r.stdout, /unreachable/);
    assert.match(r.stderr, /ERROR: step "the example step" failed \(failing\.sh, line 4: false\)/, r.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * rustup's state with the machine's toolchains but a settings file of the test's own, whose
 * default is another toolchain than the project's (as on a user's machine).
 */
function rustupHome(dir, defaultToolchain) {
  const real = process.env.RUSTUP_HOME || path.join(process.env.HOME, ".rustup");
  const home = path.join(dir, "rustup");
  mkdirSync(home);
  symlinkSync(path.join(real, "toolchains"), path.join(home, "toolchains"));
  writeFileSync(path.join(home, "settings.toml"), `version = "12"\ndefault_toolchain = "${defaultToolchain}"\nprofile = "default"\n\n[overrides]\n`);
  return home;
}

test("setup chooses the project's toolchain for the project's directory only: the user's rustup default stays", () => {
  const other = spawnSync("rustup", ["toolchain", "list"], { encoding: "utf8" })
    .stdout.split("\n").map((l) => l.split(" ")[0]).find((t) => t && t !== "debian-web");
  if (!other) return assert.fail("this machine has no rustup toolchain besides debian-web to be the user's default");
  const dir = mkdtempSync(path.join(tmpdir(), "setup-default-"));
  try {
    const project = path.join(dir, "project");
    mkdirSync(project);
    const env = { ...process.env, RUSTUP_HOME: rustupHome(dir, other) };
    delete env.RUSTUP_TOOLCHAIN;
    const active = (cwd) => spawnSync("rustup", ["show", "active-toolchain"], { cwd, env, encoding: "utf8" }).stdout.split(" ")[0];
    const setDefault = () => spawnSync("rustup", ["default"], { env, encoding: "utf8" }).stdout.split(" ")[0];
    assert.equal(active(project), other);
    // the plan changes nothing; the toolchain step (the Debian route's) overrides the project only
    plan(env);
    const r = spawnSync("/bin/bash", ["-c", `source "${root}/scripts/setup-wasm-toolchain.sh" "${project}" && cd "${project}" && debian_rustup_toolchain`], { env, encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(setDefault(), other, "rustup's default is the user's");
    assert.equal(active(project), "debian-web", r.stdout);
    assert.equal(active(dir), other, "outside the project: the user's toolchain");
    assert.match(r.stdout, /undo: rustup override unset --path/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
