import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { CurrentAccount, type Principal } from '../auth/current-account';
import { badInput } from '../common/domain-error';
import { EXPORT_CONTENT_TYPES, parseExportFormat } from './export-format';
import { ResultsExportRepository } from './results-export.repository';
import { ResultsService } from './results.service';

// GET /datasets/:id/export?format=jsonl|csv — one row per regular item: externalId, label,
// confidence, answers, status, method (and itemId). Owner or ADMIN. Every check happens before
// the first byte, so refusals are ordinary JSON errors; a failure mid-stream cuts the response.
@Controller('datasets')
export class ExportController {
  constructor(
    private readonly results: ResultsService,
    private readonly exporter: ResultsExportRepository,
  ) {}

  @Get(':id/export')
  async export(
    @CurrentAccount() principal: Principal,
    @Param('id') id: string,
    @Query('format') formatParam: unknown,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const format = parseExportFormat(formatParam);
    if (format === null) throw badInput('format must be jsonl or csv', { field: 'format' });
    await this.results.assertCanReadResults(principal, id);
    // Written straight to the socket with backpressure, not through Fastify's send.
    reply.hijack();
    const res = reply.raw;
    res.statusCode = 200;
    res.setHeader('content-type', EXPORT_CONTENT_TYPES[format]);
    res.setHeader('content-disposition', `attachment; filename="dataset-${id}.${format}"`);
    res.setHeader('cache-control', 'no-store');
    try {
      await this.exporter.streamTo({ datasetId: id, format, out: res });
    } catch (error) {
      // The client went away: nothing to answer, and not a server error.
      if (res.destroyed && (error as { code?: string }).code === 'ERR_STREAM_PREMATURE_CLOSE') return;
      throw error;
    }
  }
}
