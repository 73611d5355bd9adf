import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

// Compiles the given folders plus the bench entry file to bench/.out/<name> (same folder depth,
// so node_modules and the project root resolve as usual) and returns the compiled entry file, so a
// bench can run the app in a clean child process without a TypeScript loader.
export function compileForChild(params: { name: string; dirs: string[]; files: string[] }): string {
  // Loaded here only: the compiled child must not map swc's native binding.
  const { transformFileSync } = require('@swc/core') as typeof import('@swc/core');
  const root = join(__dirname, '..');
  const out = join(root, 'bench', '.out', params.name);
  const compile = (file: string): void => {
    const target = join(out, relative(root, file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(target), { recursive: true });
    const { code } = transformFileSync(file, {
      swcrc: false,
      module: { type: 'commonjs' },
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
        target: 'es2022',
        keepClassNames: true,
      },
    });
    writeFileSync(target, code);
  };
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) compile(path);
    }
  };
  for (const dir of params.dirs) walk(join(root, dir));
  for (const file of params.files) compile(file);
  return join(out, relative(root, params.files[0])).replace(/\.ts$/, '.js');
}
