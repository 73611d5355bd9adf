// Used by the TypeORM CLI (npm run migration:generate|run|revert). The service builds its own
// DataSource from the validated config.
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { typeormOptions } from './typeorm-options';

const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/labelchain';

export default new DataSource(typeormOptions(url));
