import { TypeMetadataStorage } from '@nestjs/graphql';
import { startTestApp } from '../support/test-app';
it('boots', async () => {
  try { const app = await startTestApp({ role: 'api' }); await app.close(); } catch (e) {
    for (const t of [...TypeMetadataStorage.getObjectTypesMetadata(), ...TypeMetadataStorage.getInterfacesMetadata()]) {
      for (const p of t.properties ?? []) {
        if (p.name !== 'id') continue;
        const v = p.typeFn() as { name?: string };
        console.error('IDFIELD', t.name, String(v?.name ?? v), (t.target as { name: string }).name);
      }
    }
    throw e;
  }
});
