import { adminAuthz } from './admin.ts';
import { applicationsAuthz } from './applications.ts';
import { chatRecordsAuthz } from './chat-records.ts';
import { documentsAuthz } from './documents.ts';
import { inboxAuthz } from './inbox.ts';
import { peopleAuthz } from './people.ts';
import { programmesAuthz } from './programmes.ts';
import { regulationAuthz } from './regulation.ts';
import { resourcesAuthz } from './resources.ts';
import { checkinsAuthz } from './checkins.ts';
import { communityAuthz } from './community.ts';
import { channelAdminAuthz } from './channel-admin.ts';
import { privacyAuthz } from './privacy.ts';
import { reportsAuthz } from './reports.ts';
import { consoleCasesAuthz } from './console-cases.ts';
import type { AuthzEntry } from './types.ts';

export const AUTHZ_MATRIX: AuthzEntry[] = [
  ...regulationAuthz,
  ...peopleAuthz,
  ...documentsAuthz,
  ...applicationsAuthz,
  ...programmesAuthz,
  ...resourcesAuthz,
  ...adminAuthz,
  ...chatRecordsAuthz,
  ...inboxAuthz,
  ...checkinsAuthz,
  ...communityAuthz,
  ...channelAdminAuthz,
  ...privacyAuthz,
  ...reportsAuthz,
  ...consoleCasesAuthz,
];
