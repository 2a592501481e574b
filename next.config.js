// @ts-check
/**
 * Static export: the app is a folder of files (out/) that `cairn start`, or any static host, serves.
 * trailingSlash makes the export write `run/index.html`, which a plain static server maps without rewrites.
 * @type {import('next').NextConfig}
 */
const nextConfig = {
  output: 'export',
  trailingSlash: true,
  images: { unoptimized: true },
  reactStrictMode: true,
  poweredByHeader: false,
};

module.exports = nextConfig;
