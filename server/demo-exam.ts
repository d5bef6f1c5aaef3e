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
/**
 * The demo exam. With `referencePhoto` (an absolute path) face match is on and the first demo
 * candidate has that roster photo; the others have none (the proctor checks them live).
 */
export function demoExam(now: number, timing: DemoTiming, proctorPasswordHash: string, referencePhoto?: string): ExamConfigInput {
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
        'zh-CN': [
          '本次评估依次进行：设备准备、人脸登录、阅读考试流程、佐证绑定、抽签、阅读考试附件、进入考试、设备确认、开始答题、结束考试。',
          '1. 设备准备：确认房间安静、光线充足；电脑电量充足或接通电源；摄像头、麦克风工作正常。',
          '2. 人脸登录：开考前 30 分钟内登录。不得使用滤镜或美颜，不得遮挡面部、耳部，不得戴口罩。同一考生只能在一台设备登录。',
          '3. 阅读考试流程：即本页，请读完后点击【下一步】。',
          '4. 佐证绑定：用手机打开佐证页面或输入绑定码；开考前用手机前置摄像头环拍房间一周（本人须在画面内），然后固定手机，持续拍摄桌面、屏幕、周围环境和本人，直到评估结束。',
          '5. 抽签：进入考试前完成抽签；未抽签者由系统自动分配抽签号。',
          '6. 阅读考试附件：依次阅读并同意《考生诚信承诺书》和《在线考试须知》。',
          '7. 进入考试：在进入考试时间内点击【进入考试】；按钮不可点击时请点击【刷新】。只能使用一台显示器。进入后系统自动录制摄像头、麦克风和整个屏幕，请勿切屏、截屏或进行与考试无关的操作。',
          '8. 设备确认：可点击【刷新设备】更新设备列表，并切换摄像头和麦克风。',
          '9. 开始答题：开考时题目自动出现。读题备考 10 分钟，回答问题 5 分钟，不能提前回答。题目未出现时点击【刷新题目】，或点击【求助】联系监督员。需要提前结束时点击【结束考试】并【确认】。',
          '10. 结束考试：录制自动停止并上传。断网时请继续作答，联网后会自动上传；提示“上传成功”后方可关闭页面。成绩公布前请勿卸载本应用或清除浏览器数据。',
        ].join('\n\n'),
        en: [
          'The assessment runs in this order: device check, face login, exam procedure, evidence phone, lottery, exam documents, enter, confirm devices, answer, end.',
          '1. Device check: a quiet, well-lit room; the computer charged or plugged in; camera and microphone working.',
          '2. Face login: log in within 30 minutes before the start. No filters or beauty effects; face and ears uncovered; no mask. One device per candidate.',
          '3. Exam procedure: this page; read it to the end, then press "Next".',
          '4. Evidence phone: open the evidence page on your phone or type the binding code; before the start, film the whole room once with yourself in view, then fix the phone so it films desk, screen, surroundings and you until the end.',
          '5. Lottery: draw a number before entering; otherwise the system assigns one.',
          '6. Exam documents: read and accept the integrity pledge and the exam notice.',
          '7. Enter: press "Enter the exam" during the entry window ("Refresh" if it stays disabled). One display only. Camera, microphone and the whole screen are recorded from then on; do not switch away or take screenshots.',
          '8. Confirm devices: "Refresh devices" updates the list; switch camera and microphone if needed.',
          '9. Answer: the question appears at the start. 10 minutes reading, then 5 minutes answering — not earlier. "Reload question" if it does not show, or "Help" to reach the proctor. To end early press "End exam" and "Confirm".',
          '10. End: recording stops and uploads by itself. If the network drops, keep going; everything uploads once you are back online. Close the page only after "Uploaded". Do not uninstall the app before results are published.',
        ].join('\n\n'),
      },
      pledge: { 'zh-CN': '本人承诺：诚信应考，独立完成评估，不向他人求助，不传播考试内容。', en: 'I pledge to sit this assessment honestly and on my own, and not to share its content.' },
      notice: { 'zh-CN': '考试期间请保持摄像头、麦克风开启；如遇网络中断，请继续答题，结束后会自动上传。', en: 'Keep camera and microphone on. If the network drops, keep going: everything uploads afterwards.' },
    },
    rooms: [{ id: 'room-1', name: '第一考场' }, { id: 'room-2', name: '第二考场' }],
    roster: DEMO_CANDIDATES.map((c, i) => ({ ...c, ...(i === 0 && referencePhoto ? { photo: referencePhoto } : {}) })),
    ...(referencePhoto ? { face: { match: { enabled: true } } } : {}),
    proctors: [{ id: DEMO_PROCTOR.id, name: '监督员一', passwordHash: proctorPasswordHash, rooms: ['room-1', 'room-2'] }],
    retentionDays: 30,
  };
}
