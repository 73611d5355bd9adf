import { Controller, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentAccount, type Principal } from '../auth/current-account';
import { DomainError } from '../common/domain-error';
import { StreamsBody } from '../http/body-parsers';
import { ItemIngestService, type UploadSummary } from './item-ingest.service';

// POST /datasets/:id/items — streams an NDJSON or CSV body into the dataset (owner or ADMIN,
// DRAFT only). The body is read here, never by a body parser (@StreamsBody); errors come out of
// HttpExceptionFilter as { error: { code, message, details } }.
@Controller('datasets')
export class ItemsUploadController {
  constructor(private readonly ingest: ItemIngestService) {}

  @Post(':id/items')
  @HttpCode(200)
  @StreamsBody()
  async upload(
    @CurrentAccount() principal: Principal,
    @Param('id') id: string,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<UploadSummary> {
    const req = request.raw;
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
        void reply.header('connection', 'close');
        if (!(error instanceof DomainError) && (req.destroyed || (error as { code?: string }).code === 'ECONNRESET')) {
          throw new DomainError(
            'BAD_USER_INPUT',
            'The upload was interrupted; batches already written are kept, so retrying with the same external ids completes it',
          );
        }
      }
      throw error;
    }
  }
}
