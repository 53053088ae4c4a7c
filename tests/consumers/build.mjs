// Builds src/main.js with each bundler named on the command line into dist/<bundler>/,
// with an index.html, as a user's app would be deployed:
//   webpack 5  the package's `webpack` export (bundler/), experiments.asyncWebAssembly;
//              webpack emits the .wasm itself
//   esbuild    the ESM entry; the .wasm is copied next to the bundle (esbuild leaves
//              `new URL(…, import.meta.url)` as it is)
//   rollup     the ESM entry with @rollup/plugin-node-resolve; the .wasm copied likewise
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const entry = path.join(here, "src/main.js");
const wasm = path.join(here, "node_modules/phoenix-wasm/phoenix_wasm_bg.wasm");

const builders = {
  async webpack(out) {
    const { default: webpack } = await import("webpack");
    const stats = await new Promise((resolve, reject) =>
      webpack({
        mode: "production",
        context: here,
        entry,
        output: { path: out, filename: "main.js", publicPath: "" },
        experiments: { asyncWebAssembly: true },
      }).run((err, stats) => (err ? reject(err) : resolve(stats))),
    );
    if (stats.hasErrors()) throw new Error(stats.toString("errors-only"));
  },
  async esbuild(out) {
    const esbuild = await import("esbuild");
    await esbuild.build({ entryPoints: [entry], bundle: true, format: "esm", target: "es2022", outfile: path.join(out, "main.js"), logLevel: "warning" });
    copyFileSync(wasm, path.join(out, "phoenix_wasm_bg.wasm"));
  },
  async rollup(out) {
    const { rollup } = await import("rollup");
    const { nodeResolve } = await import("@rollup/plugin-node-resolve");
    const bundle = await rollup({ input: entry, plugins: [nodeResolve({ browser: true })] });
    await bundle.write({ dir: out, format: "es", entryFileNames: "main.js" });
    await bundle.close();
    copyFileSync(wasm, path.join(out, "phoenix_wasm_bg.wasm"));
  },
};

for (const name of process.argv.slice(2)) {
  const build = builders[name];
  if (!build) throw new Error(`unknown bundler ${name} (webpack, esbuild, rollup)`);
  const out = path.join(here, "dist", name);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  await build(out);
  writeFileSync(
    path.join(out, "index.html"),
    `<!doctype html>\n<html lang="en" data-bundler="${name}">\n<head><meta charset="utf-8"><title>${name} consumer</title></head>\n` +
      `<body>\n<p id="state">loading</p>\n<ul id="events"></ul>\n<script type="module" src="main.js"></script>\n</body>\n</html>\n`,
  );
  console.log(`built dist/${name}/`);
}
