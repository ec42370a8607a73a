import type { AuthzEntry } from './types.ts';

/** Authorization matrix rows for api/routes/documents.ts (see ./types.ts). */
const READERS = ['admin', 'social_worker'] as const;

function pdfForm(): FormData {
  const form = new FormData();
  form.append('file', new File([Buffer.from('%PDF-1.4\n% authz test\n')], 'certificato.pdf', { type: 'application/pdf' }));
  form.append('type', 'certificate');
  return form;
}

export const documentsAuthz: AuthzEntry[] = [
  {
    method: 'post',
    path: '/api/v1/people/{id}/documents',
    roles: ['admin', 'social_worker', 'operator'],
    scoped: true,
    request: (f, side) => ({ url: `/api/v1/people/${f[side].personId}/documents`, body: pdfForm() }),
  },
  { method: 'get', path: '/api/v1/people/{id}/documents', roles: READERS, scoped: true, request: (f, side) => ({ url: `/api/v1/people/${f[side].personId}/documents` }) },
  { method: 'get', path: '/api/v1/documents/{id}', roles: READERS, scoped: true, request: (f, side) => ({ url: `/api/v1/documents/${f[side].documentId}` }) },
  { method: 'get', path: '/api/v1/documents/{id}/content', roles: READERS, scoped: true, request: (f, side) => ({ url: `/api/v1/documents/${f[side].documentId}/content` }) },
];
