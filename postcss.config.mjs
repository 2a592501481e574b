// Tailwind 4 runs as a PostCSS plugin; there is no tailwind.config (classes are found by scanning the sources).
export default { plugins: { '@tailwindcss/postcss': {} } };
