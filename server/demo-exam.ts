import type { ExamConfigInput } from '../src/core/exam-schema.js';

export const DEMO_EXAM_ID = 'demo';
export const DEMO_PROCTOR = { id: 'proctor1', password: 'demo-proctor' } as const;
export const DEMO_CANDIDATES = [
  { id: '2026000001', name: '张三', ticketCode: 'A1B2C3', room: 'room-1' },
  { id: '2026000002', name: '李四', ticketCode: 'D4E5F6', room: 'room-1' },
  { id: '2026000003', name: '王五', ticketCode: 'G7H8J9', room: 'room-1' },
  { id: '2026000004', name: 'Alex Chen', ticketCode: 'K1L2M3', room: 'room-2' },
] as const;

export interface DemoTiming {
  startInMinutes: number;
  readingMinutes: number;
  answeringMinutes: number;
  lotteryClosesMinutesBefore: number;
}
export const NORMAL_TIMING: DemoTiming = { startInMinutes: 10, readingMinutes: 10, answeringMinutes: 5, lotteryClosesMinutesBefore: 5 };
export const SHORT_TIMING: DemoTiming = { startInMinutes: 3, readingMinutes: 1, answeringMinutes: 1, lotteryClosesMinutesBefore: 1 };

/** A demo exam placed relative to `now`: login open at once, start a few minutes later. */
export function demoExam(now: number, timing: DemoTiming, proctorPasswordHash: string): ExamConfigInput {
  const start = new Date(Math.ceil((now + timing.startInMinutes * 60_000) / 1000) * 1000).toISOString();
  return {
    id: DEMO_EXAM_ID,
    title: { 'zh-CN': '线上综合素质评估（演示）', en: 'Online comprehensive assessment (demo)' },
    helpLine: { 'zh-CN': '技术服务电话 400-000-0000（09:00–18:00）', en: 'Help line 400-000-0000 (09:00–18:00)' },
    timeline: {
      start,
      loginOpensMinutesBefore: 30,
      entryOpensMinutesBefore: Math.min(15, timing.startInMinutes),
      lotteryClosesMinutesBefore: timing.lotteryClosesMinutesBefore,
      readingMinutes: timing.readingMinutes,
      answeringMinutes: timing.answeringMinutes,
    },
    questions: [{
      id: 'q1',
      text: {
        'zh-CN': '请谈谈你在一次团队合作中遇到的困难，以及你是如何解决的。',
        en: 'Describe a difficulty you met while working in a team, and how you resolved it.',
      },
    }],
    attachments: {
      procedure: {
        'zh-CN': '线上综合素质评估流程：设备准备、人脸登录、阅读考试流程、佐证绑定、抽签、阅读考试附件、进入考试、设备确认、开始答题、结束考试。',
        en: 'Procedure: device preparation, face login, read the procedure, evidence binding, lottery, exam attachments, enter the exam, device confirmation, answering, end.',
      },
      pledge: { 'zh-CN': '本人承诺：诚信应考，独立完成评估，不向他人求助，不传播考试内容。', en: 'I pledge to sit this assessment honestly and on my own, and not to share its content.' },
      notice: { 'zh-CN': '考试期间请保持摄像头、麦克风开启；如遇网络中断，请继续答题，结束后会自动上传。', en: 'Keep camera and microphone on. If the network drops, keep going: everything uploads afterwards.' },
    },
    rooms: [{ id: 'room-1', name: '第一考场' }, { id: 'room-2', name: '第二考场' }],
    roster: DEMO_CANDIDATES.map((c) => ({ ...c })),
    proctors: [{ id: DEMO_PROCTOR.id, name: '监督员一', passwordHash: proctorPasswordHash, rooms: ['room-1', 'room-2'] }],
    retentionDays: 30,
  };
}
