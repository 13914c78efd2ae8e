// `pepr build` lints the module before building it. This one-rule module needs no lint rules, only a config that
// lets ESLint parse TypeScript (Pepr's own template extends presets this bench does not install).
import tsParser from "@typescript-eslint/parser";

export default [
  { ignores: ["**/node_modules", "**/dist"] },
  { files: ["**/*.ts"], languageOptions: { parser: tsParser, sourceType: "module" } },
];
