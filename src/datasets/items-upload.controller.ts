import { Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { CurrentAccount, type Principal } from '../auth/current-account';
import { DomainError } from '../common/domain-error';
import { ItemIngestService, type UploadSummary } from './item-ingest.service';

// POST /datasets/:id/items — streams an NDJSON or CSV body into the dataset (owner or ADMIN,
// DRAFT only). The body is read here, never by a body parser; errors come out of
// HttpExceptionFilter as { error: { code, message, details } }.
@Controller('datasets')
export class ItemsUploadController {
  constructor(private readonly ingest: ItemIngestService) {}

  @Post(':id/items')
  @HttpCode(200)
  async upload(@CurrentAccount() principal: Principal, @Param('id') id: string, @Req() req: Request): Promise<UploadSummary> {
    const length = req.headers['content-length'];
    try {
      return await this.ingest.upload(principal, {
        datasetId: id,
        contentType: req.headers['content-type'],
        contentEncoding: req.headers['content-encoding'],
        contentLength: length === undefined ? null : Number(length),
        // Stopping early must not destroy the request: the error response still has to go out.
        body: req.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>,
      });
    } catch (error) {
      if (!req.complete) {
        // The rest of the body is not wanted: answer, then close instead of draining it.
        req.res?.setHeader('connection', 'close');
        if (!(error instanceof DomainError) && (req.destroyed || (error as { code?: string }).code === 'ECONNRESET')) {
          throw new DomainError('BAD_USER_INPUT', 'The upload was interrupted; batches already written are kept, so retrying with the same external ids completes it');
        }
      }
      throw error;
    }
  }
}
