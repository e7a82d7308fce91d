<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>A11yBar</name>
    <message>
        <source>Larger text</source>
        <translation>大字</translation>
    </message>
    <message>
        <source>High contrast</source>
        <translation>高对比</translation>
    </message>
</context>
<context>
    <name>ApplicationFlow</name>
    <message>
        <source>The face check cannot be made at this kiosk. Please go to a township medical-insurance station, or call 12393.</source>
        <translation>本机暂时不能拍照核验本人，请到乡镇（街道）医保服务站办理，或拨打12393。</translation>
    </message>
    <message>
        <source>Applying for: %1</source>
        <translation>申请事项：%1</translation>
    </message>
    <message>
        <source>Applicant: %1 (%2)</source>
        <translation>申请人：%1（%2）</translation>
    </message>
    <message>
        <source>Face photo: taken</source>
        <translation>本人照片：已拍</translation>
    </message>
    <message>
        <source>photographed</source>
        <translation>已拍照</translation>
    </message>
    <message>
        <source>none</source>
        <translation>没有</translation>
    </message>
    <message>
        <source>The handler will telephone you to confirm: %1</source>
        <translation>工作人员会打电话向您核实：%1</translation>
    </message>
    <message>
        <source>Yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>No</source>
        <translation>否</translation>
    </message>
    <message>
        <source>Submitting...</source>
        <translation>正在提交，请稍候……</translation>
    </message>
    <message>
        <source>Application number: %1</source>
        <translation>申请编号：%1</translation>
    </message>
    <message>
        <source>Please keep the receipt; the progress can be checked with it.</source>
        <translation>请保管好回执，凭回执可以查询办理进度。</translation>
    </message>
    <message>
        <source>Printing your receipt...</source>
        <translation>正在打印回执……</translation>
    </message>
    <message>
        <source>The application could not be saved. Please try again, or go to a township medical-insurance station.</source>
        <translation>申请没有保存成功，请再试一次，或到乡镇（街道）医保服务站办理。</translation>
    </message>
    <message>
        <source>This kiosk cannot print a receipt now. Please write down the application number above; the application is saved.</source>
        <translation>本机现在不能打印回执。申请已经保存，请记下上面的申请编号。</translation>
    </message>
    <message>
        <source>Please take your receipt from the printer.</source>
        <translation>请从出纸口取走回执。</translation>
    </message>
    <message>
        <source>The receipt could not be printed here. Please write down the application number above; the application is saved.</source>
        <translation>回执没有打印出来。申请已经保存，请记下上面的申请编号。</translation>
    </message>
</context>
<context>
    <name>AttractPage</name>
    <message>
        <source>Touch here to start</source>
        <translation>点这里开始办理</translation>
    </message>
</context>
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
        <source>Next citizen</source>
        <translation>下一位群众</translation>
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
        <source>Read the citizen's card first</source>
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
        <source>1 Form</source>
        <translation>1 填写表单</translation>
    </message>
    <message>
        <source>2 Materials and signature</source>
        <translation>2 材料与签名</translation>
    </message>
    <message>
        <source>3 Check and confirm</source>
        <translation>3 核对确认</translation>
    </message>
    <message>
        <source>Check and confirm</source>
        <translation>核对确认</translation>
    </message>
    <message>
        <source>Check the filing with the citizen</source>
        <translation>与办事群众核对申请</translation>
    </message>
    <message>
        <source>Newborn: read the guardian's card, then enter the birth certificate number and the child's details in the form.</source>
        <translation>新生儿参保：请读取监护人的证件，再在表单中填写出生医学证明编号和新生儿信息。</translation>
    </message>
    <message>
        <source>Read the applicant's card and choose the relationship</source>
        <translation>请读取代办人的证件并选择与办事群众的关系</translation>
    </message>
    <message>
        <source>Yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>No</source>
        <translation>否</translation>
    </message>
    <message>
        <source>Accepted with materials to follow.</source>
        <translation>已容缺受理，材料待补。</translation>
    </message>
    <message>
        <source>Thank you for rating.</source>
        <translation>感谢您的评价。</translation>
    </message>
    <message>
        <source>This item is no longer in the catalog.</source>
        <translation>事项目录中已没有该事项。</translation>
    </message>
    <message>
        <source>Correcting filing %1. %2 Read the citizen's card, fix and check again.</source>
        <translation>正在更正申请 %1。%2 请重新读取办事群众的证件，修改后再次核对。</translation>
    </message>
    <message>
        <source>Supplement saved and queued for upload.</source>
        <translation>补充材料已保存，等待上传。</translation>
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
    <name>DonePage</name>
    <message>
        <source>Your application has been submitted</source>
        <translation>您的申请已经提交</translation>
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
    <name>FaceCheckPage</name>
    <message>
        <source>Photo of your face</source>
        <translation>拍一张脸部照片</translation>
    </message>
    <message>
        <source>Look at the screen. Please take off your hat and sunglasses.</source>
        <translation>请看着屏幕，摘下帽子和墨镜。</translation>
    </message>
    <message>
        <source>Your picture from the camera</source>
        <translation>摄像头拍到的您</translation>
    </message>
    <message>
        <source>Take it again</source>
        <translation>重新拍</translation>
    </message>
    <message>
        <source>Take the photo again</source>
        <translation>重新拍照</translation>
    </message>
    <message>
        <source>Use this photo</source>
        <translation>用这张照片</translation>
    </message>
    <message>
        <source>Use this photo and go on</source>
        <translation>用这张照片，继续</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Cancel and go back</source>
        <translation>取消，返回上一步</translation>
    </message>
    <message>
        <source>Opening the camera, one moment please...</source>
        <translation>正在打开摄像头，请稍等…</translation>
    </message>
    <message>
        <source>Very good. Hold still, the photo is being taken.</source>
        <translation>很好，请不要动，马上拍照。</translation>
    </message>
    <message>
        <source>Done. Your photo has been taken.</source>
        <translation>拍好了。</translation>
    </message>
    <message>
        <source>Only one person in front of the camera, please.</source>
        <translation>镜头前只能有一个人，请其他人让一让。</translation>
    </message>
    <message>
        <source>Please look at the screen and put your face in the frame.</source>
        <translation>请看着屏幕，把脸对准框内。</translation>
    </message>
    <message>
        <source>Please look straight at the camera.</source>
        <translation>请正对着镜头。</translation>
    </message>
    <message>
        <source>Please come a little closer.</source>
        <translation>请靠近一点。</translation>
    </message>
    <message>
        <source>Please step back a little.</source>
        <translation>请往后退一点。</translation>
    </message>
    <message>
        <source>Please move your face to the middle of the frame.</source>
        <translation>请把脸移到框的中间。</translation>
    </message>
    <message>
        <source>It is too dark. Please face the light.</source>
        <translation>光线太暗，请面向亮的地方。</translation>
    </message>
    <message>
        <source>The light is too strong. Please move out of it.</source>
        <translation>光线太强，请避开强光。</translation>
    </message>
    <message>
        <source>Please keep still.</source>
        <translation>请不要动。</translation>
    </message>
    <message>
        <source>A photo for the real-person check cannot be taken at this kiosk right now. Please go to a service counter, or call 12393.</source>
        <translation>这台自助机现在不能拍照核验本人。请到服务窗口办理，或拨打 12393 咨询。</translation>
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
    <name>HomePage</name>
    <message>
        <source>My insurance</source>
        <translation>我的参保信息</translation>
    </message>
    <message>
        <source>My payments</source>
        <translation>我的缴费记录</translation>
    </message>
    <message>
        <source>My personal account</source>
        <translation>个人账户收支</translation>
    </message>
    <message>
        <source>My reimbursements</source>
        <translation>我的报销信息</translation>
    </message>
    <message>
        <source>Print my enrolment certificate</source>
        <translation>打印参保证明</translation>
    </message>
    <message>
        <source>Print my rights record</source>
        <translation>打印个人权益记录</translation>
    </message>
    <message>
        <source>Apply for something</source>
        <translation>我要申请办理</translation>
    </message>
    <message>
        <source>Apply: care in another region, enrolment, chronic-disease treatment</source>
        <translation>申请办理：异地就医备案、居民参保登记、门诊慢特病</translation>
    </message>
    <message>
        <source>Finish and take my card</source>
        <translation>办完了，取回卡片</translation>
    </message>
    <message>
        <source>Hello, %1 (%2)</source>
        <translation>您好，%1（%2）</translation>
    </message>
</context>
<context>
    <name>IdentifyPage</name>
    <message>
        <source>Please use any one of these three ways</source>
        <translation>请用下面任意一种方式</translation>
    </message>
    <message>
        <source>Insert your social-security card, put your ID card on the reader, or show your medical-insurance e-voucher to the scanner.</source>
        <translation>请插入社保卡，或把身份证放在读卡区，或出示医保电子凭证对准扫码口。</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>返回</translation>
    </message>
    <message>
        <source>Back to the start</source>
        <translation>返回首页</translation>
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
    <name>ItemChoicePage</name>
    <message>
        <source>What would you like to apply for?</source>
        <translation>您要申请办理什么？</translation>
    </message>
    <message>
        <source>No applications can be made at this kiosk. Please go to a township medical-insurance station, or call 12393.</source>
        <translation>本机不能申请办理业务，请到乡镇（街道）医保服务站办理，或拨打12393。</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>返回</translation>
    </message>
    <message>
        <source>Back to my services</source>
        <translation>返回我的业务</translation>
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
    <name>KioskWindow</name>
    <message>
        <source>Yibao Station — Self-service</source>
        <translation>医保服务站——自助服务</translation>
    </message>
    <message>
        <source>The card could not be read. Please try again.</source>
        <translation>没有读到卡片，请再试一次。</translation>
    </message>
    <message>
        <source>Printing...</source>
        <translation>正在打印……</translation>
    </message>
    <message>
        <source>Printed. Please take your certificate from the printer.</source>
        <translation>已打印，请从出纸口取走您的证明。</translation>
    </message>
    <message>
        <source>Still there? Touch the screen to continue. Closing in %1 s.</source>
        <translation>还在办理吗？请点一下屏幕继续。%1 秒后将返回首页。</translation>
    </message>
    <message>
        <source>Please take your card out of the reader.</source>
        <translation>请取走您的卡。</translation>
    </message>
    <message>
        <source>Still there? Touch the screen to continue.</source>
        <translation>您还在吗？请点一下屏幕继续。</translation>
    </message>
    <message>
        <source>Please choose a service.</source>
        <translation>请选择您要办理的业务。</translation>
    </message>
    <message>
        <source>Technician</source>
        <translation>运维人员</translation>
    </message>
    <message>
        <source>Technician password</source>
        <translation>运维密码</translation>
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
    <name>MaterialsChecklist</name>
    <message>
        <source>Materials summary</source>
        <translation>材料汇总</translation>
    </message>
    <message>
        <source>Required</source>
        <translation>必需</translation>
    </message>
    <message>
        <source>Optional</source>
        <translation>可选</translation>
    </message>
    <message>
        <source>%1: status</source>
        <translation>%1：状态</translation>
    </message>
    <message>
        <source>%1: latest page</source>
        <translation>%1：最新一页</translation>
    </message>
    <message>
        <source>Photograph</source>
        <translation>拍照</translation>
    </message>
    <message>
        <source>Photograph %1</source>
        <translation>拍照：%1</translation>
    </message>
    <message>
        <source>Scans...</source>
        <translation>扫描件…</translation>
    </message>
    <message>
        <source>Import %1 from the scanner folder</source>
        <translation>从扫描文件夹导入%1</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <source>Remove the pages of %1</source>
        <translation>移除%1的所有页</translation>
    </message>
    <message>
        <source>No scanner folder is set up.</source>
        <translation>未设置扫描仪文件夹。</translation>
    </message>
    <message>
        <source>Not provided</source>
        <translation>未提供</translation>
    </message>
    <message numerus="yes">
        <source>Photographed: %n page(s)</source>
        <translation>
            <numerusform>已拍照 %n 页</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Imported from scans: %n page(s)</source>
        <translation>
            <numerusform>已从扫描件导入 %n 页</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Photographed and scanned: %n page(s)</source>
        <translation>
            <numerusform>已拍照和扫描共 %n 页</numerusform>
        </translation>
    </message>
    <message>
        <source>This item needs no materials.</source>
        <translation>本事项无需材料。</translation>
    </message>
    <message numerus="yes">
        <source>%n required material(s) missing</source>
        <translation>
            <numerusform>缺 %n 项必需材料</numerusform>
        </translation>
    </message>
    <message>
        <source>All required materials provided</source>
        <translation>材料齐全</translation>
    </message>
    <message>
        <source>Scans for %1</source>
        <translation>导入扫描件：%1</translation>
    </message>
</context>
<context>
    <name>MaterialsStep</name>
    <message>
        <source>Face photo</source>
        <translation>人脸照片</translation>
    </message>
    <message>
        <source>Take the citizen's face photo</source>
        <translation>拍摄办事群众的人脸照片</translation>
    </message>
    <message>
        <source>Face photo (real-person check):</source>
        <translation>人脸照片（实人核验）：</translation>
    </message>
    <message>
        <source>Citizen signs</source>
        <translation>群众签名</translation>
    </message>
    <message>
        <source>Let the citizen sign on the screen</source>
        <translation>请办事群众在屏幕上签名</translation>
    </message>
    <message>
        <source>Signature:</source>
        <translation>签名：</translation>
    </message>
    <message>
        <source>When materials are missing</source>
        <translation>材料不齐时</translation>
    </message>
    <message>
        <source>Accept now, materials to follow (容缺受理)</source>
        <translation>先行受理，材料后补（容缺受理）</translation>
    </message>
    <message>
        <source>Accept with materials pending</source>
        <translation>容缺受理</translation>
    </message>
    <message>
        <source>Print one-time notice</source>
        <translation>打印一次性告知书</translation>
    </message>
    <message>
        <source>Print the one-time notice of missing materials</source>
        <translation>打印缺少材料的一次性告知书</translation>
    </message>
    <message>
        <source>Show notice</source>
        <translation>查看告知书</translation>
    </message>
    <message>
        <source>Show the one-time notice of missing materials</source>
        <translation>在屏幕上显示一次性告知书</translation>
    </message>
    <message>
        <source>taken</source>
        <translation>已拍摄</translation>
    </message>
    <message>
        <source>required for this item, not taken yet</source>
        <translation>本事项需要，尚未拍摄</translation>
    </message>
    <message>
        <source>not required (may be taken)</source>
        <translation>本事项不要求（可拍摄）</translation>
    </message>
    <message>
        <source>not signed yet</source>
        <translation>尚未签名</translation>
    </message>
    <message>
        <source>signed</source>
        <translation>已签名</translation>
    </message>
</context>
<context>
    <name>NoticeDialog</name>
    <message>
        <source>One-time notice of missing materials</source>
        <translation>一次性告知书</translation>
    </message>
    <message>
        <source>Print</source>
        <translation>打印</translation>
    </message>
    <message>
        <source>Print the notice</source>
        <translation>打印告知书</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
</context>
<context>
    <name>NumericKeypad</name>
    <message>
        <source>Number entered</source>
        <translation>已输入的号码</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>退格</translation>
    </message>
    <message>
        <source>Delete the last digit</source>
        <translation>删掉最后一位</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>清空</translation>
    </message>
    <message>
        <source>Clear all digits</source>
        <translation>全部清空</translation>
    </message>
    <message>
        <source>Digit %1</source>
        <translation>数字 %1</translation>
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
    <name>PhotoPage</name>
    <message>
        <source>Lay the paper flat under the camera, then touch 'Take photo'.</source>
        <translation>请把材料平放在摄像头下面，然后点“拍照”。</translation>
    </message>
    <message>
        <source>Camera picture</source>
        <translation>摄像头画面</translation>
    </message>
    <message>
        <source>Take photo</source>
        <translation>拍照</translation>
    </message>
    <message>
        <source>Take the photo of this paper</source>
        <translation>给这份材料拍照</translation>
    </message>
    <message>
        <source>Take again</source>
        <translation>重拍</translation>
    </message>
    <message>
        <source>Take this photo again</source>
        <translation>重新拍这张</translation>
    </message>
    <message>
        <source>Use this photo</source>
        <translation>用这张照片</translation>
    </message>
    <message>
        <source>Use this photo and go on</source>
        <translation>用这张照片，继续</translation>
    </message>
    <message>
        <source>I don't have it</source>
        <translation>我没有这份材料</translation>
    </message>
    <message>
        <source>I do not have this paper: go on without it</source>
        <translation>没有这份材料，跳过</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>返回</translation>
    </message>
    <message>
        <source>Back to the previous step</source>
        <translation>返回上一步</translation>
    </message>
    <message>
        <source>Paper %1 of %2</source>
        <translation>第 %1 份材料，共 %2 份</translation>
    </message>
    <message>
        <source>The camera of this kiosk is not working, so papers cannot be photographed here. Please go to a township medical-insurance station, or call 12393.</source>
        <translation>本机摄像头暂停使用，不能拍材料。请到乡镇（街道）医保服务站办理，或拨打12393。</translation>
    </message>
    <message>
        <source>Starting the camera...</source>
        <translation>正在打开摄像头……</translation>
    </message>
    <message>
        <source>Is the whole paper clear? If so, touch 'Use this photo'.</source>
        <translation>整张材料拍清楚了吗？清楚的话请点“用这张照片”。</translation>
    </message>
    <message>
        <source>The camera stopped working. Please try again, or go back.</source>
        <translation>摄像头出了问题，请再试一次，或者返回。</translation>
    </message>
</context>
<context>
    <name>ProxyPanel</name>
    <message>
        <source>Applying for someone else</source>
        <translation>为他人代办</translation>
    </message>
    <message>
        <source>Applicant's relationship to the citizen</source>
        <translation>代办人与办事群众的关系</translation>
    </message>
    <message>
        <source>Choose...</source>
        <translation>请选择…</translation>
    </message>
    <message>
        <source>Relationship</source>
        <translation>关系</translation>
    </message>
    <message>
        <source>Read the card</source>
        <translation>请读卡</translation>
    </message>
    <message>
        <source>Applicant (agent)</source>
        <translation>申请人（代办人）</translation>
    </message>
    <message>
        <source>Citizen (applied for)</source>
        <translation>办事群众（被代办人）</translation>
    </message>
</context>
<context>
    <name>QueryPage</name>
    <message>
        <source>Your records</source>
        <translation>您的记录</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>返回</translation>
    </message>
    <message>
        <source>Back to my services</source>
        <translation>返回我的服务</translation>
    </message>
    <message>
        <source>Asking the medical-insurance platform...</source>
        <translation>正在向医保平台查询，请稍候……</translation>
    </message>
    <message>
        <source>%1 records found.</source>
        <translation>共查到 %1 条记录。</translation>
    </message>
    <message>
        <source>No records.</source>
        <translation>没有查到记录。</translation>
    </message>
</context>
<context>
    <name>QuestionPage</name>
    <message>
        <source>Today</source>
        <translation>今天</translation>
    </message>
    <message>
        <source>Use today's date</source>
        <translation>填今天的日期</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>返回</translation>
    </message>
    <message>
        <source>Back to the previous step</source>
        <translation>返回上一步</translation>
    </message>
    <message>
        <source>Skip</source>
        <translation>不填</translation>
    </message>
    <message>
        <source>Leave this empty and go on</source>
        <translation>这项不填，继续</translation>
    </message>
    <message>
        <source>Next</source>
        <translation>下一步</translation>
    </message>
    <message>
        <source>Confirm this answer and go on</source>
        <translation>确认，下一步</translation>
    </message>
    <message>
        <source>Question %1 of %2</source>
        <translation>第 %1 项，共 %2 项</translation>
    </message>
    <message>
        <source>Yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>No</source>
        <translation>否</translation>
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
        <source>Centre's message</source>
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
        <source>(more to come)</source>
        <translation>（材料待补）</translation>
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
        <source>This citizen's filings</source>
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
    <message>
        <source>Correct (new filing)</source>
        <translation>更正（重新申请）</translation>
    </message>
    <message>
        <source>File a corrected application that references the selected one</source>
        <translation>提交引用所选申请的更正申请</translation>
    </message>
    <message>
        <source>Supplement materials</source>
        <translation>补充材料</translation>
    </message>
    <message>
        <source>Add materials to the selected filing</source>
        <translation>为所选申请补充材料</translation>
    </message>
</context>
<context>
    <name>RatingDialog</name>
    <message>
        <source>Rate our service</source>
        <translation>服务评价</translation>
    </message>
    <message>
        <source>How was our service today?</source>
        <translation>您对今天的服务满意吗？</translation>
    </message>
    <message>
        <source>Skip</source>
        <translation>跳过</translation>
    </message>
    <message>
        <source>Skip rating</source>
        <translation>跳过评价</translation>
    </message>
    <message>
        <source>Submit</source>
        <translation>提交</translation>
    </message>
    <message>
        <source>Submit the rating</source>
        <translation>提交评价</translation>
    </message>
    <message>
        <source>What went well? (optional)</source>
        <translation>哪些方面让您满意？（可不选）</translation>
    </message>
    <message>
        <source>What should we improve? Choose at least one.</source>
        <translation>哪些方面需要改进？请至少选择一项。</translation>
    </message>
</context>
<context>
    <name>RatingPage</name>
    <message>
        <source>How was this service?</source>
        <translation>您对这次办事满意吗？</translation>
    </message>
    <message>
        <source>What was not good? Touch all that apply.</source>
        <translation>哪里不满意？可以点多项。</translation>
    </message>
    <message>
        <source>Send my rating</source>
        <translation>提交评价</translation>
    </message>
    <message>
        <source>Don't rate</source>
        <translation>不评价</translation>
    </message>
    <message>
        <source>Finish without rating</source>
        <translation>不评价，结束</translation>
    </message>
</context>
<context>
    <name>RegionPicker</name>
    <message>
        <source>The whole city</source>
        <translation>整个市</translation>
    </message>
    <message>
        <source>Choose the whole city</source>
        <translation>选整个市</translation>
    </message>
    <message>
        <source>Choose again</source>
        <translation>重新选</translation>
    </message>
    <message>
        <source>Go back one level and choose again</source>
        <translation>返回上一级重新选</translation>
    </message>
    <message>
        <source>Previous page</source>
        <translation>上一页</translation>
    </message>
    <message>
        <source>Previous page of places</source>
        <translation>上一页地方</translation>
    </message>
    <message>
        <source>More places</source>
        <translation>更多地方</translation>
    </message>
    <message>
        <source>Next page of places</source>
        <translation>下一页地方</translation>
    </message>
    <message>
        <source>Chosen: %1</source>
        <translation>已选：%1</translation>
    </message>
    <message>
        <source>Choose the province</source>
        <translation>请选择省份</translation>
    </message>
</context>
<context>
    <name>ReviewPage</name>
    <message>
        <source>Please check everything with the citizen</source>
        <translation>请与办事群众逐项核对</translation>
    </message>
    <message>
        <source>Problems to fix before confirming</source>
        <translation>确认前需处理的问题</translation>
    </message>
    <message>
        <source>Back to edit</source>
        <translation>返回修改</translation>
    </message>
    <message>
        <source>Back to edit the filing</source>
        <translation>返回修改申请</translation>
    </message>
    <message>
        <source>Confirm and submit</source>
        <translation>确认提交</translation>
    </message>
    <message>
        <source>Confirm and submit the filing</source>
        <translation>确认并提交申请</translation>
    </message>
    <message>
        <source>Nothing to review yet.</source>
        <translation>暂无可核对的内容。</translation>
    </message>
    <message>
        <source>Required material missing: %1</source>
        <translation>缺少必需材料：%1</translation>
    </message>
    <message>
        <source>The face photo this item requires has not been taken.</source>
        <translation>本事项需要的人像照片尚未拍摄。</translation>
    </message>
    <message>
        <source>The citizen has not signed yet.</source>
        <translation>办事群众尚未签名。</translation>
    </message>
    <message>
        <source>Item</source>
        <translation>事项</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>编码</translation>
    </message>
    <message>
        <source>Answered at once</source>
        <translation>即办</translation>
    </message>
    <message numerus="yes">
        <source>%n working day(s)</source>
        <translation>
            <numerusform>%n 个工作日</numerusform>
        </translation>
    </message>
    <message>
        <source>Time limit</source>
        <translation>办结时限</translation>
    </message>
    <message>
        <source>Applicant (on the citizen's behalf)</source>
        <translation>申请人（代办人）</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>ID number</source>
        <translation>证件号码</translation>
    </message>
    <message>
        <source>Relationship</source>
        <translation>关系</translation>
    </message>
    <message>
        <source>Citizen</source>
        <translation>办事群众</translation>
    </message>
    <message>
        <source>Taken</source>
        <translation>已拍摄</translation>
    </message>
    <message>
        <source>Not taken (required)</source>
        <translation>未拍摄（必需）</translation>
    </message>
    <message>
        <source>Face photo</source>
        <translation>人像照片</translation>
    </message>
    <message>
        <source>Entered</source>
        <translation>填写内容</translation>
    </message>
    <message>
        <source>Nothing entered.</source>
        <translation>未填写内容。</translation>
    </message>
    <message>
        <source>Materials</source>
        <translation>材料</translation>
    </message>
    <message>
        <source>This item needs no materials.</source>
        <translation>本事项无需材料。</translation>
    </message>
    <message numerus="yes">
        <source>%n page(s)</source>
        <translation>
            <numerusform>%n 页</numerusform>
        </translation>
    </message>
    <message>
        <source>Not provided (optional)</source>
        <translation>未提供（可选）</translation>
    </message>
    <message>
        <source>Missing: to follow (accepted with materials pending)</source>
        <translation>缺：后补（容缺受理）</translation>
    </message>
    <message>
        <source>Missing (required)</source>
        <translation>缺（必需）</translation>
    </message>
    <message>
        <source>Accepted with materials pending: the missing materials follow later</source>
        <translation>容缺受理：材料待补</translation>
    </message>
    <message>
        <source>Signature</source>
        <translation>签名</translation>
    </message>
    <message>
        <source>Signed</source>
        <translation>已签名</translation>
    </message>
    <message>
        <source>Not signed yet</source>
        <translation>尚未签名</translation>
    </message>
    <message>
        <source>Citizen's signature</source>
        <translation>办事群众签名</translation>
    </message>
    <message>
        <source>Please check, then confirm</source>
        <translation>请核对，然后确认</translation>
    </message>
    <message>
        <source>What you are applying for</source>
        <translation>您申请的内容</translation>
    </message>
    <message>
        <source>Change something</source>
        <translation>我要修改</translation>
    </message>
    <message>
        <source>Go back and change an answer</source>
        <translation>返回修改</translation>
    </message>
    <message>
        <source>Confirm and submit the application</source>
        <translation>确认并提交申请</translation>
    </message>
    <message>
        <source>Back to my services</source>
        <translation>返回我的服务</translation>
    </message>
</context>
<context>
    <name>ScanFolder</name>
    <message>
        <source>The scan folder could not be listed; the details are in the log.</source>
        <translation>无法读取扫描文件夹，详情见日志。</translation>
    </message>
</context>
<context>
    <name>ScanPickerDialog</name>
    <message>
        <source>Import scans</source>
        <translation>导入扫描件</translation>
    </message>
    <message>
        <source>Newest scans in %1. Tap the files to import, then Import.</source>
        <translation>%1 中最新的扫描件。点选要导入的文件，再点“导入”。</translation>
    </message>
    <message>
        <source>Scanned files, newest first</source>
        <translation>扫描文件（最新的在前）</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Look for new scans</source>
        <translation>查找新的扫描件</translation>
    </message>
    <message>
        <source>Import</source>
        <translation>导入</translation>
    </message>
    <message>
        <source>Import the chosen scans</source>
        <translation>导入所选扫描件</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>imported</source>
        <translation>已导入</translation>
    </message>
    <message>
        <source>No scans in the folder yet. Scan the page, then Refresh.</source>
        <translation>文件夹中还没有扫描件。请先扫描，再点“刷新”。</translation>
    </message>
    <message>
        <source>Importing...</source>
        <translation>正在导入…</translation>
    </message>
    <message>
        <source>A file could not be imported; the details are in the log.</source>
        <translation>有文件无法导入，详情见日志。</translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) imported.</source>
        <translation>
            <numerusform>已导入 %n 个文件。</numerusform>
        </translation>
    </message>
    <message>
        <source>Not imported:</source>
        <translation>未导入：</translation>
    </message>
</context>
<context>
    <name>SessionBar</name>
    <message>
        <source>Change password</source>
        <translation>修改密码</translation>
    </message>
    <message>
        <source>Switch operator</source>
        <translation>切换经办人</translation>
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
</context>
<context>
    <name>SignatureDialog</name>
    <message>
        <source>Citizen's signature</source>
        <translation>办事群众签名</translation>
    </message>
    <message>
        <source>Please sign in the box with a finger, the pen or the mouse.</source>
        <translation>请用手指、手写笔或鼠标在框内签名。</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>清除</translation>
    </message>
    <message>
        <source>Clear the signature</source>
        <translation>清除签名</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Confirm</source>
        <translation>确认</translation>
    </message>
    <message>
        <source>Confirm the signature</source>
        <translation>确认签名</translation>
    </message>
</context>
<context>
    <name>SignaturePad</name>
    <message>
        <source>Signature pad</source>
        <translation>签名板</translation>
    </message>
    <message>
        <source>The citizen signs here with a finger, a pen or the mouse</source>
        <translation>办事群众用手指、手写笔或鼠标在此签名</translation>
    </message>
    <message>
        <source>Please sign here</source>
        <translation>请在此处签名</translation>
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
        <source>Ratings this month (good / fair / poor)</source>
        <translation>本月评价（好评 / 中评 / 差评）</translation>
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
    <name>SupplementDialog</name>
    <message>
        <source>Supplement materials</source>
        <translation>补充材料</translation>
    </message>
    <message>
        <source>The centre says: %1</source>
        <translation>中心意见：%1</translation>
    </message>
    <message>
        <source>Already provided: %1</source>
        <translation>已提供：%1</translation>
    </message>
    <message>
        <source>Queue the supplement</source>
        <translation>保存补充材料并排队上传</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
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
        <source>Speech</source>
        <translation>语音播报</translation>
    </message>
    <message>
        <source>Say a test sentence</source>
        <translation>试听语音播报</translation>
    </message>
    <message>
        <source>This is the kiosk's voice.</source>
        <translation>这是自助机的语音播报。</translation>
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
        <source>paper low</source>
        <translation>纸张将用完</translation>
    </message>
    <message>
        <source>paper out</source>
        <translation>缺纸</translation>
    </message>
    <message>
        <source>paper state unknown</source>
        <translation>纸张状态未知</translation>
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
<context>
    <name>TerminalFigures</name>
    <message>
        <source>Clock and free disk</source>
        <translation>时钟与磁盘空间</translation>
    </message>
    <message>
        <source>Clock: not yet compared with the centre.</source>
        <translation>时钟：尚未与中心平台核对。</translation>
    </message>
    <message>
        <source>Clock: centre time minus this terminal's is %1 s (checked %2).</source>
        <translation>时钟：中心时间减本机时间为 %1 秒（%2 核对）。</translation>
    </message>
    <message>
        <source>More than 5 minutes off: set the clock.</source>
        <translation>相差超过 5 分钟，请校准本机时间。</translation>
    </message>
    <message>
        <source>Free disk: unknown.</source>
        <translation>剩余磁盘空间：无法读取。</translation>
    </message>
    <message>
        <source>Free disk: %1 GiB.</source>
        <translation>剩余磁盘空间：%1 GiB。</translation>
    </message>
    <message>
        <source>Less than 1 GiB: free some space.</source>
        <translation>不足 1 GiB，请清理磁盘空间。</translation>
    </message>
</context>
<context>
    <name>WaysPanel</name>
    <message>
        <source>Insert your social-security card</source>
        <translation>插入社保卡</translation>
    </message>
    <message>
        <source>Put your ID card on the reader</source>
        <translation>把身份证放在读卡区</translation>
    </message>
    <message>
        <source>Show your e-voucher code to the scanner</source>
        <translation>出示医保电子凭证，对准扫码口</translation>
    </message>
</context>
</TS>
