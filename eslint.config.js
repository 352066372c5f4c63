// ESLint flat config: typescript-eslint's recommended rules with type information.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import globals from "globals";

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "coverage/**", "images/**", "templates/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "no-console": "error",
    },
  },
  {
    files: ["test/**", "bench/**", "vitest.config.ts", "eslint.config.js"],
    // Tests poke at parsed YAML/JSON documents; `any` there is honest.
    rules: { "no-console": "off", "@typescript-eslint/no-explicit-any": "off" },
  },
);
