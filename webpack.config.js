/**
 * The task pane bundle (dist/addin): served by the Cahier Coop service itself, same origin as
 * the API. `npm run dev-server` serves it over https with the Office dev certificates and
 * forwards /api to a running service.
 */
const path = require('node:path');
const HtmlWebpackPlugin = require('html-webpack-plugin');
const CopyWebpackPlugin = require('copy-webpack-plugin');

module.exports = async (_env, argv) => {
  const dev = argv.mode !== 'production';
  const config = {
    mode: dev ? 'development' : 'production',
    devtool: dev ? 'eval-source-map' : false,
    entry: { taskpane: './addin/src/taskpane.tsx' },
    output: { path: path.resolve(__dirname, 'dist/addin'), filename: '[name].[contenthash:8].js', clean: true },
    resolve: { extensions: ['.tsx', '.ts', '.js'] },
    module: {
      rules: [
        {
          test: /\.tsx?$/,
          loader: 'ts-loader',
          exclude: /node_modules/,
          options: { transpileOnly: true, compilerOptions: { module: 'esnext', moduleResolution: 'bundler' } },
        },
      ],
    },
    plugins: [
      new HtmlWebpackPlugin({ filename: 'taskpane.html', template: './addin/src/taskpane.html', chunks: ['taskpane'] }),
      new CopyWebpackPlugin({ patterns: [{ from: 'addin/assets', to: 'assets' }] }),
    ],
    performance: { hints: false },
  };
  if (dev) {
    const certs = require('office-addin-dev-certs');
    const https = await certs.getHttpsServerOptions().catch(() => undefined);
    config.devServer = {
      port: 3001,
      server: https ? { type: 'https', options: https } : 'http',
      headers: { 'Access-Control-Allow-Origin': '*' },
      proxy: [{ context: ['/api', '/health'], target: process.env.CAHIER_SERVICE ?? 'http://localhost:3000' }],
    };
  }
  return config;
};
