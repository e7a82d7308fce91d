<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>CameraWorker</name>
    <message>
        <source>The camera stopped unexpectedly. The details are in the log.</source>
        <translation>摄像头意外停止，详细信息已记入日志。</translation>
    </message>
</context>
<context>
    <name>CounterWindow</name>
    <message>
        <source>Yibao Station — Counter</source>
        <translation>医保服务站 — 柜台</translation>
    </message>
    <message>
        <source>Lock</source>
        <translation>锁定</translation>
    </message>
    <message>
        <source>Lock the screen</source>
        <translation>锁定屏幕</translation>
    </message>
    <message>
        <source>Switch operator</source>
        <translation>切换经办人</translation>
    </message>
    <message>
        <source>Change password</source>
        <translation>修改密码</translation>
    </message>
    <message>
        <source>Save and queue</source>
        <translation>保存并排队上传</translation>
    </message>
    <message>
        <source>Next citizen</source>
        <translation>下一位群众</translation>
    </message>
    <message>
        <source>Face photo</source>
        <translation>人像采集</translation>
    </message>
    <message>
        <source>Take the citizen&apos;s face photo</source>
        <translation>采集群众人像照片</translation>
    </message>
    <message>
        <source>Photograph materials</source>
        <translation>材料拍照</translation>
    </message>
    <message>
        <source>Photograph a paper document</source>
        <translation>拍摄纸质材料</translation>
    </message>
    <message>
        <source>Handle</source>
        <translation>办理</translation>
    </message>
    <message>
        <source>Queue</source>
        <translation>队列</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>今日概况</translation>
    </message>
    <message>
        <source>connecting</source>
        <translation>正在连接</translation>
    </message>
    <message>
        <source>Password changed.</source>
        <translation>密码已修改。</translation>
    </message>
    <message>
        <source>No card reader is working at this terminal. Ask the technician to check the devices; other services can carry on.</source>
        <translation>本终端没有可用的读卡器。请联系技术人员检查设备；其他业务可以继续办理。</translation>
    </message>
    <message>
        <source>The card could not be read.</source>
        <translation>读卡失败。</translation>
    </message>
    <message>
        <source>No filing with this receipt at this terminal: %1</source>
        <translation>本终端没有这张回执对应的申请：%1</translation>
    </message>
    <message>
        <source>No camera at this terminal.</source>
        <translation>本终端没有可用的摄像头。</translation>
    </message>
    <message>
        <source>face photo taken</source>
        <translation>已采集人像</translation>
    </message>
    <message numerus="yes">
        <source>%n material photo(s)</source>
        <translation>
            <numerusform>材料照片 %n 张</numerusform>
        </translation>
    </message>
    <message>
        <source>Read the citizen&apos;s card first</source>
        <translation>请先读取群众的证件</translation>
    </message>
    <message>
        <source>Please correct the fields marked in red.</source>
        <translation>请修改标红的项目。</translation>
    </message>
    <message>
        <source>Saving...</source>
        <translation>正在保存……</translation>
    </message>
    <message>
        <source>Saved and queued for upload. Reference: %1</source>
        <translation>已保存，排队等待上传。编号：%1</translation>
    </message>
    <message>
        <source>Receipt printed (%1).</source>
        <translation>小票已打印（%1）。</translation>
    </message>
    <message>
        <source>The receipt was not printed: %1 The filing is saved.</source>
        <translation>小票未打印：%1 申请已保存。</translation>
    </message>
    <message>
        <source>Not saved. Nothing saved earlier was affected.</source>
        <translation>未保存。之前已保存的数据不受影响。</translation>
    </message>
    <message>
        <source>Saved to %1</source>
        <translation>已保存到 %1</translation>
    </message>
    <message>
        <source>The export failed.</source>
        <translation>导出失败。</translation>
    </message>
    <message>
        <source>The details are in the log.</source>
        <translation>详细信息已记入日志。</translation>
    </message>
</context>
<context>
    <name>Crash</name>
    <message>
        <source>Something went wrong</source>
        <translation>程序出错</translation>
    </message>
    <message>
        <source>An unexpected error occurred. Everything already saved is safe. If it happens again, please tell your technician; the details are in the log.</source>
        <translation>发生意外错误。已保存的数据都是安全的。如果再次出现，请告知技术人员；详细信息已记入日志。</translation>
    </message>
</context>
<context>
    <name>FaceCaptureDialog</name>
    <message>
        <source>Face photo</source>
        <translation>人像采集</translation>
    </message>
    <message>
        <source>Photo of materials</source>
        <translation>材料拍照</translation>
    </message>
    <message>
        <source>Scan the e-voucher with the camera</source>
        <translation>用摄像头扫描医保电子凭证</translation>
    </message>
    <message>
        <source>Camera preview</source>
        <translation>摄像头画面</translation>
    </message>
    <message>
        <source>Take photo</source>
        <translation>拍照</translation>
    </message>
    <message>
        <source>Use this photo</source>
        <translation>使用这张照片</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Opening the camera...</source>
        <translation>正在打开摄像头……</translation>
    </message>
    <message>
        <source>Retake</source>
        <translation>重拍</translation>
    </message>
    <message>
        <source>No picture from the camera</source>
        <translation>摄像头没有画面</translation>
    </message>
    <message>
        <source>You can cancel and continue without the camera.</source>
        <translation>可以取消，不用摄像头继续办理。</translation>
    </message>
</context>
<context>
    <name>FormView</name>
    <message>
        <source>not set</source>
        <translation>未填写</translation>
    </message>
    <message>
        <source>Please choose</source>
        <translation>请选择</translation>
    </message>
    <message>
        <source>yuan</source>
        <translation>元</translation>
    </message>
    <message>
        <source>18-character ID number</source>
        <translation>18 位公民身份号码</translation>
    </message>
    <message>
        <source>mobile or landline with area code</source>
        <translation>手机号码或带区号的固定电话</translation>
    </message>
    <message>
        <source>16 to 19 digits</source>
        <translation>16 至 19 位数字</translation>
    </message>
    <message>
        <source>6-digit division code</source>
        <translation>6 位行政区划代码</translation>
    </message>
    <message>
        <source>18-character code on the business licence</source>
        <translation>营业执照上的 18 位代码</translation>
    </message>
    <message>
        <source>Choose an item on the left</source>
        <translation>请在左侧选择要办理的事项</translation>
    </message>
    <message numerus="yes">
        <source>Time limit: %n working day(s)</source>
        <translation>
            <numerusform>办结时限：%n 个工作日</numerusform>
        </translation>
    </message>
    <message>
        <source>Face photo required</source>
        <translation>需采集人像照片</translation>
    </message>
    <message>
        <source>Materials: %1</source>
        <translation>所需材料：%1</translation>
    </message>
</context>
<context>
    <name>IdentityPanel</name>
    <message>
        <source>Citizen</source>
        <translation>办事群众</translation>
    </message>
    <message>
        <source>Read ID card</source>
        <translation>读取身份证</translation>
    </message>
    <message>
        <source>E-voucher by camera</source>
        <translation>摄像头扫码</translation>
    </message>
    <message>
        <source>Read the medical-insurance e-voucher with the camera</source>
        <translation>用摄像头读取医保电子凭证</translation>
    </message>
    <message>
        <source>Show full name</source>
        <translation>显示全名</translation>
    </message>
    <message>
        <source>To check the name against the card; recorded</source>
        <translation>用于核对证件上的姓名；查看将被记录</translation>
    </message>
    <message>
        <source>Reading the card... place the ID card on the reader.</source>
        <translation>正在读卡……请将身份证放在读卡器上。</translation>
    </message>
    <message>
        <source>No citizen yet. Read an ID card, social-security card or e-voucher to start; ID numbers cannot be typed.</source>
        <translation>尚未识别群众。请读取身份证、社保卡或医保电子凭证后开始办理；不能手工输入身份证号码。</translation>
    </message>
    <message>
        <source>%1 · %2 · %3 · read by %4</source>
        <translation>%1 · %2 · %3 · 来自 %4</translation>
    </message>
</context>
<context>
    <name>ItemList</name>
    <message>
        <source>Find an item: name or pinyin initials (ydjy)</source>
        <translation>查找事项：名称或拼音首字母（如 ydjy）</translation>
    </message>
    <message>
        <source>Filter items</source>
        <translation>筛选事项</translation>
    </message>
    <message>
        <source>Items this station handles</source>
        <translation>本站可办理的事项</translation>
    </message>
    <message>
        <source>(online only)</source>
        <translation>（需联网办理）</translation>
    </message>
</context>
<context>
    <name>Labels</name>
    <message>
        <source>Saved, waiting to upload</source>
        <translation>已保存，待上传</translation>
    </message>
    <message>
        <source>Accepted</source>
        <translation>已受理</translation>
    </message>
    <message>
        <source>Under review</source>
        <translation>审核中</translation>
    </message>
    <message>
        <source>Completed</source>
        <translation>已办结</translation>
    </message>
    <message>
        <source>Not accepted</source>
        <translation>不予受理</translation>
    </message>
    <message>
        <source>Materials needed</source>
        <translation>需补充材料</translation>
    </message>
    <message>
        <source>Returned</source>
        <translation>已退回</translation>
    </message>
    <message>
        <source>Waiting to upload</source>
        <translation>等待上传</translation>
    </message>
    <message>
        <source>Uploading</source>
        <translation>正在上传</translation>
    </message>
    <message>
        <source>Delivered</source>
        <translation>已送达</translation>
    </message>
    <message>
        <source>Will retry</source>
        <translation>稍后重试</translation>
    </message>
    <message>
        <source>Checking with the centre</source>
        <translation>正在向中心核实</translation>
    </message>
    <message>
        <source>Returned by the centre</source>
        <translation>中心退回</translation>
    </message>
    <message>
        <source>Paused: terminal not authorised</source>
        <translation>已暂停：终端未获授权</translation>
    </message>
    <message>
        <source>Paused: configuration problem</source>
        <translation>已暂停：配置有误</translation>
    </message>
    <message>
        <source>Male</source>
        <translation>男</translation>
    </message>
    <message>
        <source>Female</source>
        <translation>女</translation>
    </message>
    <message>
        <source>Unknown</source>
        <translation>未知</translation>
    </message>
    <message>
        <source>simulated ID card reader</source>
        <translation>模拟身份证读卡器</translation>
    </message>
</context>
<context>
    <name>LoginDialog</name>
    <message>
        <source>Demo station: operator %1, password %2</source>
        <translation>演示站点：工号 %1，密码 %2</translation>
    </message>
    <message>
        <source>Locked</source>
        <translation>已锁定</translation>
    </message>
    <message>
        <source>Operator log-in</source>
        <translation>经办人登录</translation>
    </message>
    <message>
        <source>The screen is locked. Enter your password to carry on.</source>
        <translation>屏幕已锁定，请输入密码继续。</translation>
    </message>
    <message>
        <source>Log in to %1</source>
        <translation>登录 %1</translation>
    </message>
    <message>
        <source>this station</source>
        <translation>本站点</translation>
    </message>
    <message>
        <source>Operator code</source>
        <translation>工号</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>Log in</source>
        <translation>登录</translation>
    </message>
    <message>
        <source>Switch operator</source>
        <translation>切换经办人</translation>
    </message>
    <message>
        <source>Enter your operator code and password.</source>
        <translation>请输入工号和密码。</translation>
    </message>
    <message>
        <source>Checking...</source>
        <translation>正在核对……</translation>
    </message>
    <message>
        <source>Log-in failed unexpectedly; the details are in the log.</source>
        <translation>登录出错，详细信息已记入日志。</translation>
    </message>
</context>
<context>
    <name>PasswordDialog</name>
    <message>
        <source>Change password</source>
        <translation>修改密码</translation>
    </message>
    <message>
        <source>The centre asks you to choose a new password.</source>
        <translation>医保平台要求您设置新密码。</translation>
    </message>
    <message>
        <source>Choose a new password (at least 8 characters).</source>
        <translation>请设置新密码（至少 8 位）。</translation>
    </message>
    <message>
        <source>Current password</source>
        <translation>当前密码</translation>
    </message>
    <message>
        <source>New password</source>
        <translation>新密码</translation>
    </message>
    <message>
        <source>New password again</source>
        <translation>再次输入新密码</translation>
    </message>
    <message>
        <source>Change</source>
        <translation>修改</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>The two new passwords differ.</source>
        <translation>两次输入的新密码不一致。</translation>
    </message>
    <message>
        <source>The new password needs at least 8 characters.</source>
        <translation>新密码至少 8 位。</translation>
    </message>
    <message>
        <source>The password was not changed; the details are in the log.</source>
        <translation>密码未修改，详细信息已记入日志。</translation>
    </message>
</context>
<context>
    <name>QueueModel</name>
    <message>
        <source>Saved at</source>
        <translation>保存时间</translation>
    </message>
    <message>
        <source>Item</source>
        <translation>事项</translation>
    </message>
    <message>
        <source>Citizen</source>
        <translation>办事群众</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Upload</source>
        <translation>上传</translation>
    </message>
    <message>
        <source>Receipt no.</source>
        <translation>受理号</translation>
    </message>
    <message>
        <source>Centre&apos;s message</source>
        <translation>中心意见</translation>
    </message>
    <message>
        <source>Materials</source>
        <translation>材料</translation>
    </message>
    <message>
        <source>Due</source>
        <translation>办结期限</translation>
    </message>
    <message>
        <source>about %1</source>
        <translation>约 %1</translation>
    </message>
    <message>
        <source>(overdue)</source>
        <translation>（已超期）</translation>
    </message>
</context>
<context>
    <name>QueueView</name>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>All states</source>
        <translation>全部状态</translation>
    </message>
    <message>
        <source>Item</source>
        <translation>事项</translation>
    </message>
    <message>
        <source>All items</source>
        <translation>全部事项</translation>
    </message>
    <message>
        <source>Period</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Any time</source>
        <translation>全部时间</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>今天</translation>
    </message>
    <message>
        <source>Last 7 days</source>
        <translation>近 7 天</translation>
    </message>
    <message>
        <source>This month</source>
        <translation>本月</translation>
    </message>
    <message>
        <source>Operator code</source>
        <translation>工号</translation>
    </message>
    <message>
        <source>Receipt no. or reference</source>
        <translation>受理号或编号</translation>
    </message>
    <message>
        <source>This citizen&apos;s filings</source>
        <translation>本人的申请</translation>
    </message>
    <message>
        <source>Only the filings of the citizen read now</source>
        <translation>只显示当前群众的申请</translation>
    </message>
    <message>
        <source>Filings and their states</source>
        <translation>申请及其状态</translation>
    </message>
</context>
<context>
    <name>StationStatusBar</name>
    <message>
        <source>Upload progress</source>
        <translation>上传进度</translation>
    </message>
    <message>
        <source>Sync now</source>
        <translation>立即同步</translation>
    </message>
    <message>
        <source>no centre configured</source>
        <translation>未配置中心平台</translation>
    </message>
    <message>
        <source>Station: %1 (%2)</source>
        <translation>站点：%1（%2）</translation>
    </message>
    <message>
        <source>[demo]</source>
        <translation>【演示】</translation>
    </message>
    <message>
        <source>Operator: %1 (%2)</source>
        <translation>经办人：%1（%2）</translation>
    </message>
    <message>
        <source>Online</source>
        <translation>在线</translation>
    </message>
    <message>
        <source>Offline</source>
        <translation>离线</translation>
    </message>
    <message numerus="yes">
        <source>Devices: %n fault(s)</source>
        <translation>
            <numerusform>设备：%n 项故障</numerusform>
        </translation>
    </message>
    <message>
        <source>Devices: ready</source>
        <translation>设备：正常</translation>
    </message>
    <message>
        <source>(simulated)</source>
        <translation>（模拟）</translation>
    </message>
    <message>
        <source>simulated</source>
        <translation>模拟</translation>
    </message>
    <message>
        <source>ready</source>
        <translation>正常</translation>
    </message>
    <message>
        <source>fault</source>
        <translation>故障</translation>
    </message>
    <message>
        <source>absent</source>
        <translation>未连接</translation>
    </message>
    <message numerus="yes">
        <source>Waiting to sync: %n</source>
        <translation>
            <numerusform>待上传：%n</numerusform>
        </translation>
    </message>
    <message>
        <source>Uploading %1 / %2 · %3 MB</source>
        <translation>正在上传 %1 / %2 · %3 MB</translation>
    </message>
    <message>
        <source>Last sync: %1</source>
        <translation>上次同步：%1</translation>
    </message>
    <message numerus="yes">
        <source>Needs attention: %n filing(s) not delivered for over a day</source>
        <translation>
            <numerusform>需关注：%n 件申请超过一天未送达</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>SummaryView</name>
    <message>
        <source>Filed today</source>
        <translation>今日办理</translation>
    </message>
    <message>
        <source>Filed this month</source>
        <translation>本月办理</translation>
    </message>
    <message>
        <source>Waiting to sync</source>
        <translation>待上传</translation>
    </message>
    <message>
        <source>Rejected or refused</source>
        <translation>退回/不予受理</translation>
    </message>
    <message>
        <source>Needs materials</source>
        <translation>需补充材料</translation>
    </message>
    <message>
        <source>Accepted with materials pending</source>
        <translation>容缺受理待补</translation>
    </message>
    <message>
        <source>Item</source>
        <translation>事项</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>今日</translation>
    </message>
    <message>
        <source>Month</source>
        <translation>本月</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Export CSV</source>
        <translation>导出 CSV</translation>
    </message>
    <message>
        <source>By operator (today / month): %1</source>
        <translation>按经办人（今日/本月）：%1</translation>
    </message>
</context>
<context>
    <name>TechnicianWindow</name>
    <message>
        <source>Yibao Station — Technician</source>
        <translation>医保服务站 — 运维</translation>
    </message>
    <message>
        <source>Technician log-in</source>
        <translation>运维登录</translation>
    </message>
    <message>
        <source>Technician password</source>
        <translation>运维密码</translation>
    </message>
    <message>
        <source>Unlock</source>
        <translation>解锁</translation>
    </message>
    <message>
        <source>Checking...</source>
        <translation>正在核对……</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Where</source>
        <translation>位置</translation>
    </message>
    <message>
        <source>Reason / last error</source>
        <translation>原因 / 最近错误</translation>
    </message>
    <message>
        <source>Last seen by the counter</source>
        <translation>柜台最近记录</translation>
    </message>
    <message>
        <source>Rescan</source>
        <translation>重新检测</translation>
    </message>
    <message>
        <source>Test selected device</source>
        <translation>测试所选设备</translation>
    </message>
    <message>
        <source>Test result</source>
        <translation>测试结果</translation>
    </message>
    <message>
        <source>Scan any code with a keyboard-wedge scanner to test it.</source>
        <translation>用键盘式扫码器扫任意二维码即可测试。</translation>
    </message>
    <message>
        <source>Test result (personal data masked):</source>
        <translation>测试结果（个人信息已遮蔽）：</translation>
    </message>
    <message>
        <source>Settings of this terminal</source>
        <translation>本终端的设备设置</translation>
    </message>
    <message>
        <source>Save settings</source>
        <translation>保存设置</translation>
    </message>
    <message>
        <source>Saved. The counter uses the new settings when it next starts.</source>
        <translation>已保存。柜台下次启动时使用新设置。</translation>
    </message>
    <message>
        <source>not seen</source>
        <translation>无记录</translation>
    </message>
    <message>
        <source>working</source>
        <translation>正常</translation>
    </message>
    <message>
        <source>not working</source>
        <translation>故障</translation>
    </message>
    <message>
        <source>present</source>
        <translation>已连接</translation>
    </message>
    <message>
        <source>absent</source>
        <translation>未连接</translation>
    </message>
    <message>
        <source>Testing... (up to 10 seconds)</source>
        <translation>正在测试……（最长 10 秒）</translation>
    </message>
    <message>
        <source>OK</source>
        <translation>正常</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>Scanner works. Read: %1</source>
        <translation>扫码器工作正常。读到：%1</translation>
    </message>
    <message>
        <source>Unexpected error; the details are in the log.</source>
        <translation>意外错误，详细信息已记入日志。</translation>
    </message>
</context>
</TS>
