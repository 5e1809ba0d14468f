package demo

import (
	"sort"
	"strings"

	"patentwall/market"
)

// IPC titles for every symbol the vocabulary uses, so the demo's patent pages and search show titles
// without an IPC scheme import (a later import of the official scheme overwrites nothing: Load only
// inserts missing symbols).
//
// Section, class and subclass titles are the official IPC titles, taken from the International Patent
// Classification (IPC) © World Intellectual Property Organization (WIPO), published under the Creative
// Commons Attribution 4.0 licence (CC BY 4.0); the Chinese titles are CNIPA's translation. Reference
// notes in brackets were dropped. Group titles are short paraphrases written for this generator.

type ipcEntry struct{ symbol, zh, en string }

// ipcOfficial: sections, classes and subclasses (IPC © WIPO, CC BY 4.0).
var ipcOfficial = []ipcEntry{
	{"A", "人类生活必需", "HUMAN NECESSITIES"},
	{"B", "作业；运输", "PERFORMING OPERATIONS; TRANSPORTING"},
	{"C", "化学；冶金", "CHEMISTRY; METALLURGY"},
	{"F", "机械工程；照明；加热；武器；爆破", "MECHANICAL ENGINEERING; LIGHTING; HEATING; WEAPONS; BLASTING"},
	{"G", "物理", "PHYSICS"},
	{"H", "电学", "ELECTRICITY"},
	{"A61", "医学或兽医学；卫生学", "MEDICAL OR VETERINARY SCIENCE; HYGIENE"},
	{"B01", "一般的物理或化学的方法或装置", "PHYSICAL OR CHEMICAL PROCESSES OR APPARATUS IN GENERAL"},
	{"B22", "铸造；粉末冶金", "CASTING; POWDER METALLURGY"},
	{"B23", "机床；其他类目中不包括的金属加工", "MACHINE TOOLS; METAL-WORKING NOT OTHERWISE PROVIDED FOR"},
	{"B25", "手动工具；轻便机动工具；手动器械的手柄；车间设备；机械手", "HAND TOOLS; PORTABLE POWER-DRIVEN TOOLS; HANDLES FOR HAND IMPLEMENTS; WORKSHOP EQUIPMENT; MANIPULATORS"},
	{"B33", "增材制造技术", "ADDITIVE MANUFACTURING TECHNOLOGY"},
	{"B60", "一般车辆", "VEHICLES IN GENERAL"},
	{"B63", "船舶或其他水上船只；与船有关的设备", "SHIPS OR OTHER WATERBORNE VESSELS; RELATED EQUIPMENT"},
	{"B64", "飞行器；航空；宇宙航行", "AIRCRAFT; AVIATION; COSMONAUTICS"},
	{"B65", "输送；包装；贮存；搬运薄的或细丝状材料", "CONVEYING; PACKING; STORING; HANDLING THIN OR FILAMENTARY MATERIAL"},
	{"B82", "超微技术", "NANOTECHNOLOGY"},
	{"C01", "无机化学", "INORGANIC CHEMISTRY"},
	{"C07", "有机化学", "ORGANIC CHEMISTRY"},
	{"C08", "有机高分子化合物；其制备或化学加工；以其为基料的组合物", "ORGANIC MACROMOLECULAR COMPOUNDS; THEIR PREPARATION OR CHEMICAL WORKING-UP; COMPOSITIONS BASED THEREON"},
	{"C09", "染料；涂料；抛光剂；天然树脂；黏合剂；其他类目不包含的组合物；其他类目不包含的材料的应用", "DYES; PAINTS; POLISHES; NATURAL RESINS; ADHESIVES; COMPOSITIONS NOT OTHERWISE PROVIDED FOR; APPLICATIONS OF MATERIALS NOT OTHERWISE PROVIDED FOR"},
	{"C12", "生物化学；啤酒；烈性酒；果汁酒；醋；微生物学；酶学；突变或遗传工程", "BIOCHEMISTRY; BEER; SPIRITS; WINE; VINEGAR; MICROBIOLOGY; ENZYMOLOGY; MUTATION OR GENETIC ENGINEERING"},
	{"C21", "铁的冶金", "METALLURGY OF IRON"},
	{"C22", "冶金；黑色或有色金属合金；合金或有色金属的处理", "METALLURGY; FERROUS OR NON-FERROUS ALLOYS; TREATMENT OF ALLOYS OR NON-FERROUS METALS"},
	{"F01", "一般机器或发动机；一般的发动机装置；蒸汽机", "MACHINES OR ENGINES IN GENERAL; ENGINE PLANTS IN GENERAL; STEAM ENGINES"},
	{"F02", "燃烧发动机；热气或燃烧生成物的发动机装置", "COMBUSTION ENGINES; HOT-GAS OR COMBUSTION-PRODUCT ENGINE PLANTS"},
	{"G01", "测量；测试", "MEASURING; TESTING"},
	{"G02", "光学", "OPTICS"},
	{"G03", "摄影术；电影术；利用了光波以外其他波的类似技术；电记录术；全息摄影术", "PHOTOGRAPHY; CINEMATOGRAPHY; ANALOGOUS TECHNIQUES USING WAVES OTHER THAN OPTICAL WAVES; ELECTROGRAPHY; HOLOGRAPHY"},
	{"G05", "控制；调节", "CONTROLLING; REGULATING"},
	{"G06", "计算或推算；计数", "COMPUTING; CALCULATING OR COUNTING"},
	{"G08", "信号装置", "SIGNALLING"},
	{"G10", "乐器；声学", "MUSICAL INSTRUMENTS; ACOUSTICS"},
	{"G11", "信息存储", "INFORMATION STORAGE"},
	{"H01", "电气元件", "ELECTRIC ELEMENTS"},
	{"H02", "发电、变电或配电", "GENERATION, CONVERSION, OR DISTRIBUTION OF ELECTRIC POWER"},
	{"H03", "电子电路", "ELECTRONIC CIRCUITRY"},
	{"H04", "电通信技术", "ELECTRIC COMMUNICATION TECHNIQUE"},
	{"A61B", "诊断；外科；鉴定", "DIAGNOSIS; SURGERY; IDENTIFICATION"},
	{"A61F", "可植入血管内的滤器；假体；为人体管状结构提供开口、或防止其塌陷的装置，例如支架；整形外科、护理或避孕装置；热敷；眼或耳的治疗或保护；绷带、敷料或吸收垫；急救箱", "FILTERS IMPLANTABLE INTO BLOOD VESSELS; PROSTHESES; DEVICES PROVIDING PATENCY TO, OR PREVENTING COLLAPSING OF, TUBULAR STRUCTURES OF THE BODY, e.g. STENTS; ORTHOPAEDIC, NURSING OR CONTRACEPTIVE DEVICES; FOMENTATION; TREATMENT OR PROTECTION OF EYES OR EARS; BANDAGES, DRESSINGS OR ABSORBENT PADS; FIRST-AID KITS"},
	{"A61K", "医用、牙科用或化妆用的配制品", "PREPARATIONS FOR MEDICAL, DENTAL OR TOILETRY PURPOSES"},
	{"A61M", "将介质输入人体内或输到人体上的器械；为转移人体介质或为从人体内取出介质的器械；用于产生或结束睡眠或昏迷的器械", "DEVICES FOR INTRODUCING MEDIA INTO, OR ONTO, THE BODY; DEVICES FOR TRANSDUCING BODY MEDIA OR FOR TAKING MEDIA FROM THE BODY; DEVICES FOR PRODUCING OR ENDING SLEEP OR STUPOR"},
	{"A61P", "化合物或药物制剂的特定治疗活性", "SPECIFIC THERAPEUTIC ACTIVITY OF CHEMICAL COMPOUNDS OR MEDICINAL PREPARATIONS"},
	{"B01J", "化学或物理方法，例如，催化作用或胶体化学；其有关设备", "CHEMICAL OR PHYSICAL PROCESSES, e.g. CATALYSIS OR COLLOID CHEMISTRY; THEIR RELEVANT APPARATUS"},
	{"B22F", "金属粉末的加工；由金属粉末制造制品；金属粉末的制造；金属粉末的专用装置或设备", "WORKING METALLIC POWDER; MANUFACTURE OF ARTICLES FROM METALLIC POWDER; MAKING METALLIC POWDER; APPARATUS OR DEVICES SPECIALLY ADAPTED FOR METALLIC POWDER"},
	{"B23K", "钎焊或脱焊；焊接；用钎焊或焊接方法包覆或镀敷；局部加热切割，如火焰切割；用激光束加工", "SOLDERING OR UNSOLDERING; WELDING; CLADDING OR PLATING BY SOLDERING OR WELDING; CUTTING BY APPLYING HEAT LOCALLY, e.g. FLAME CUTTING; WORKING BY LASER BEAM"},
	{"B23Q", "机床的零件、部件或附件，如仿形装置或控制装置；以特殊零件或部件的结构为特征的通用机床；不针对某一特殊金属加工用途的金属加工机床的组合或联合", "DETAILS, COMPONENTS, OR ACCESSORIES FOR MACHINE TOOLS, e.g. ARRANGEMENTS FOR COPYING OR CONTROLLING; MACHINE TOOLS IN GENERAL, CHARACTERISED BY THE CONSTRUCTION OF PARTICULAR DETAILS OR COMPONENTS; COMBINATIONS OR ASSOCIATIONS OF METAL-WORKING MACHINES, NOT DIRECTED TO A PARTICULAR RESULT"},
	{"B25J", "机械手；装有操纵装置的容器", "MANIPULATORS; CHAMBERS PROVIDED WITH MANIPULATION DEVICES"},
	{"B33Y", "增材制造，即通过增材沉积、增材附聚或增材分层，例如通过3D打印、立体光刻或选择性激光烧结来制造三维物体", "ADDITIVE MANUFACTURING, i.e. MANUFACTURING OF THREE-DIMENSIONAL [3D] OBJECTS BY ADDITIVE DEPOSITION, ADDITIVE AGGLOMERATION OR ADDITIVE LAYERING, e.g. BY 3D PRINTING, STEREOLITHOGRAPHY OR SELECTIVE LASER SINTERING"},
	{"B60L", "电动车辆动力装置；车辆辅助装备的供电；一般车辆的电力制动系统；车辆的磁悬置或悬浮；电动车辆的监控操作变量;电力牵引", "PROPULSION OF ELECTRICALLY-PROPELLED VEHICLES; SUPPLYING ELECTRIC POWER FOR AUXILIARY EQUIPMENT OF ELECTRICALLY-PROPELLED VEHICLES; ELECTRODYNAMIC BRAKE SYSTEMS FOR VEHICLES IN GENERAL; MAGNETIC SUSPENSION OR LEVITATION FOR VEHICLES; MONITORING OPERATING VARIABLES OF ELECTRICALLY-PROPELLED VEHICLES; ELECTRIC SAFETY DEVICES FOR ELECTRICALLY-PROPELLED VEHICLES"},
	{"B60W", "不同类型或不同功能的车辆子系统的联合控制；专门适用于混合动力车辆的控制系统；不与某一特定子系统的控制相关联的道路车辆驾驶控制系统", "CONJOINT CONTROL OF VEHICLE SUB-UNITS OF DIFFERENT TYPE OR DIFFERENT FUNCTION; CONTROL SYSTEMS SPECIALLY ADAPTED FOR HYBRID VEHICLES; ROAD VEHICLE DRIVE CONTROL SYSTEMS FOR PURPOSES NOT RELATED TO THE CONTROL OF A PARTICULAR SUB-UNIT"},
	{"B63B", "船舶或其他水上船只；船用设备", "SHIPS OR OTHER WATERBORNE VESSELS; EQUIPMENT FOR SHIPPING"},
	{"B63H", "船舶的推进装置或操舵装置", "MARINE PROPULSION OR STEERING"},
	{"B64C", "飞机；直升飞机", "AEROPLANES; HELICOPTERS"},
	{"B64D", "用于与飞机配合或装到飞机上的设备；飞行服；降落伞；动力装置或推进传动装置在飞机中的配置或安装", "EQUIPMENT FOR FITTING IN OR TO AIRCRAFT; FLIGHT SUITS; PARACHUTES; ARRANGEMENTS OR MOUNTING OF POWER PLANTS OR PROPULSION TRANSMISSIONS IN AIRCRAFT"},
	{"B64F", "与飞机相关联的地面装置或航空母舰甲板装置；其他类目不包括的飞机设计、制造、装配、清洗、维修或修理；其他类目不包括的飞机部件的处理、运输、测试或检查", "GROUND OR AIRCRAFT-CARRIER-DECK INSTALLATIONS SPECIALLY ADAPTED FOR USE IN CONNECTION WITH AIRCRAFT; DESIGNING, MANUFACTURING, ASSEMBLING, CLEANING, MAINTAINING OR REPAIRING AIRCRAFT, NOT OTHERWISE PROVIDED FOR; HANDLING, TRANSPORTING, TESTING OR INSPECTING AIRCRAFT COMPONENTS, NOT OTHERWISE PROVIDED FOR"},
	{"B64G", "宇宙航行；及其所用的飞行器或设备", "COSMONAUTICS; VEHICLES OR EQUIPMENT THEREFOR"},
	{"B65G", "运输或贮存装置，例如装载或倾卸用输送机、车间输送机系统或气动管道输送机", "TRANSPORT OR STORAGE DEVICES, e.g. CONVEYORS FOR LOADING OR TIPPING, SHOP CONVEYOR SYSTEMS OR PNEUMATIC TUBE CONVEYORS"},
	{"B82Y", "纳米结构的特定用途或应用；纳米结构的测量或分析；纳米结构的制造或处理", "SPECIFIC USES OR APPLICATIONS OF NANOSTRUCTURES; MEASUREMENT OR ANALYSIS OF NANOSTRUCTURES; MANUFACTURE OR TREATMENT OF NANOSTRUCTURES"},
	{"C01B", "非金属元素；其化合物", "NON-METALLIC ELEMENTS; COMPOUNDS THEREOF"},
	{"C07K", "肽", "PEPTIDES"},
	{"C08G", "用碳碳不饱和键以外的反应得到的高分子化合物", "MACROMOLECULAR COMPOUNDS OBTAINED OTHERWISE THAN BY REACTIONS ONLY INVOLVING CARBON-TO-CARBON UNSATURATED BONDS"},
	{"C08J", "加工；配料的一般工艺过程；不包括在C08B，C08C，C08F，C08G或C08H小类中的后处理", "WORKING-UP; GENERAL PROCESSES OF COMPOUNDING; AFTER-TREATMENT NOT COVERED BY SUBCLASSES C08B, C08C, C08F, C08G or C08H"},
	{"C08K", "使用无机物或非高分子有机物作为配料", "USE OF INORGANIC OR NON-MACROMOLECULAR ORGANIC SUBSTANCES AS COMPOUNDING INGREDIENTS"},
	{"C08L", "高分子化合物的组合物", "COMPOSITIONS OF MACROMOLECULAR COMPOUNDS"},
	{"C09D", "涂料组合物，例如色漆、清漆或天然漆；填充浆料；化学涂料或油墨的去除剂；油墨；改正液；木材着色剂；用于着色或印刷的浆料或固体；原料为此的应用", "COATING COMPOSITIONS, e.g. PAINTS, VARNISHES OR LACQUERS; FILLING PASTES; CHEMICAL PAINT OR INK REMOVERS; INKS; CORRECTING FLUIDS; WOODSTAINS; PASTES OR SOLIDS FOR COLOURING OR PRINTING; USE OF MATERIALS THEREFOR"},
	{"C09K", "不包含在其他类目中的各种应用材料；不包含在其他类目中的材料的各种应用", "MATERIALS FOR APPLICATIONS NOT OTHERWISE PROVIDED FOR; APPLICATIONS OF MATERIALS NOT OTHERWISE PROVIDED FOR"},
	{"C12N", "微生物或酶；其组合物；繁殖、保藏或维持微生物；变异或遗传工程；培养基", "MICROORGANISMS OR ENZYMES; COMPOSITIONS THEREOF; PROPAGATING, PRESERVING, OR MAINTAINING MICROORGANISMS; MUTATION OR GENETIC ENGINEERING; CULTURE MEDIA"},
	{"C12Q", "包含酶、核酸或微生物的测定或检验方法；其所用的组合物或试纸；这种组合物的制备方法；在微生物学方法或酶学方法中的条件反应控制", "MEASURING OR TESTING PROCESSES INVOLVING ENZYMES, NUCLEIC ACIDS OR MICROORGANISMS; COMPOSITIONS OR TEST PAPERS THEREFOR; PROCESSES OF PREPARING SUCH COMPOSITIONS; CONDITION-RESPONSIVE CONTROL IN MICROBIOLOGICAL OR ENZYMOLOGICAL PROCESSES"},
	{"C21D", "改变黑色金属的物理结构；黑色或有色金属或合金热处理用的一般设备；使金属具有韧性，例如通过脱碳或回火", "MODIFYING THE PHYSICAL STRUCTURE OF FERROUS METALS; GENERAL DEVICES FOR HEAT TREATMENT OF FERROUS OR NON-FERROUS METALS OR ALLOYS; MAKING METAL MALLEABLE, e.g. BY DECARBURISATION OR TEMPERING"},
	{"C22C", "合金", "ALLOYS"},
	{"C22F", "改变有色金属或有色合金的物理结构", "CHANGING THE PHYSICAL STRUCTURE OF NON-FERROUS METALS OR NON-FERROUS ALLOYS"},
	{"F01D", "非变容式机器或发动机，如汽轮机", "NON-POSITIVE-DISPLACEMENT MACHINES OR ENGINES, e.g. STEAM TURBINES"},
	{"F02C", "燃气轮机装置；喷气推进装置的空气进气道；空气助燃的喷气推进装置燃料供给的控制", "GAS-TURBINE PLANTS; AIR INTAKES FOR JET-PROPULSION PLANTS; CONTROLLING FUEL SUPPLY IN AIR-BREATHING JET-PROPULSION PLANTS"},
	{"G01B", "长度、厚度或类似线性尺寸的计量；角度的计量；面积的计量；不规则的表面或轮廓的计量", "MEASURING LENGTH, THICKNESS OR SIMILAR LINEAR DIMENSIONS; MEASURING ANGLES; MEASURING AREAS; MEASURING IRREGULARITIES OF SURFACES OR CONTOURS"},
	{"G01C", "测量距离、水准或者方位；勘测；导航；陀螺仪；摄影测量学或视频测量学", "MEASURING DISTANCES, LEVELS OR BEARINGS; SURVEYING; NAVIGATION; GYROSCOPIC INSTRUMENTS; PHOTOGRAMMETRY OR VIDEOGRAMMETRY"},
	{"G01N", "借助于测定材料的化学或物理性质来测试或分析材料", "INVESTIGATING OR ANALYSING MATERIALS BY DETERMINING THEIR CHEMICAL OR PHYSICAL PROPERTIES"},
	{"G01R", "测量电变量；测量磁变量", "MEASURING ELECTRIC VARIABLES; MEASURING MAGNETIC VARIABLES"},
	{"G01S", "无线电定向；无线电导航；采用无线电波测距或测速；采用无线电波的反射或再辐射的定位或存在检测；采用其他波的类似装置", "RADIO DIRECTION-FINDING; RADIO NAVIGATION; DETERMINING DISTANCE OR VELOCITY BY USE OF RADIO WAVES; LOCATING OR PRESENCE-DETECTING BY USE OF THE REFLECTION OR RERADIATION OF RADIO WAVES; ANALOGOUS ARRANGEMENTS USING OTHER WAVES"},
	{"G02B", "光学元件、系统或仪器", "OPTICAL ELEMENTS, SYSTEMS OR APPARATUS"},
	{"G03F", "图纹面的照相制版工艺，例如，印刷工艺、半导体器件的加工工艺；其所用材料；其所用原版；其所用专用设备", "PHOTOMECHANICAL PRODUCTION OF TEXTURED OR PATTERNED SURFACES, e.g. FOR PRINTING, FOR PROCESSING OF SEMICONDUCTOR DEVICES; MATERIALS THEREFOR; ORIGINALS THEREFOR; APPARATUS SPECIALLY ADAPTED THEREFOR"},
	{"G05B", "一般的控制或调节系统；这种系统的功能单元；用于这种系统或单元的监视或测试装置（用于控制或调节非电变量的系统G05D)（用于调节电或磁变量的系统G05F)（仅以机械特征为特征的控制装置或系统G05G)", "CONTROL OR REGULATING SYSTEMS IN GENERAL; FUNCTIONAL ELEMENTS OF SUCH SYSTEMS; MONITORING OR TESTING ARRANGEMENTS FOR SUCH SYSTEMS OR ELEMENTS"},
	{"G05D", "非电变量的控制或调节系统", "SYSTEMS FOR CONTROLLING OR REGULATING NON-ELECTRIC VARIABLES"},
	{"G06F", "电数字数据处理", "ELECTRIC DIGITAL DATA PROCESSING"},
	{"G06N", "基于特定计算模型的计算机系统", "COMPUTING ARRANGEMENTS BASED ON SPECIFIC COMPUTATIONAL MODELS"},
	{"G06Q", "专门适用于行政、商业、金融、管理或监督目的的信息和通信技术；其他类目不包含的专门适用于行政、商业、金融、管理或监督目的的系统或方法", "INFORMATION AND COMMUNICATION TECHNOLOGY [ICT] SPECIALLY ADAPTED FOR ADMINISTRATIVE, COMMERCIAL, FINANCIAL, MANAGERIAL OR SUPERVISORY PURPOSES; SYSTEMS OR METHODS SPECIALLY ADAPTED FOR ADMINISTRATIVE, COMMERCIAL, FINANCIAL, MANAGERIAL OR SUPERVISORY PURPOSES, NOT OTHERWISE PROVIDED FOR"},
	{"G06T", "一般的图像数据处理或产生", "IMAGE DATA PROCESSING OR GENERATION, IN GENERAL"},
	{"G06V", "图像或视频识别或理解", "IMAGE OR VIDEO RECOGNITION OR UNDERSTANDING"},
	{"G08G", "交通控制系统", "TRAFFIC CONTROL SYSTEMS"},
	{"G10L", "语音分析技术或语音合成；语音识别；语音或声音处理技术；语音或音频编码或解码", "SPEECH ANALYSIS OR SYNTHESIS; SPEECH RECOGNITION; SPEECH OR VOICE PROCESSING; SPEECH OR AUDIO CODING OR DECODING"},
	{"G11C", "静态存储器", "STATIC STORES"},
	{"H01L", "不包括在H10类中的半导体器件", "SEMICONDUCTOR DEVICES NOT COVERED BY CLASS H10"},
	{"H01M", "用于直接转变化学能为电能的方法或装置，例如电池组", "PROCESSES OR MEANS, e.g. BATTERIES, FOR THE DIRECT CONVERSION OF CHEMICAL ENERGY INTO ELECTRICAL ENERGY"},
	{"H02J", "电力网络;供电或配电的电路装置或系统；电能存储系统", "CIRCUIT ARRANGEMENTS OR SYSTEMS FOR SUPPLYING OR DISTRIBUTING ELECTRIC POWER; SYSTEMS FOR STORING ELECTRIC ENERGY"},
	{"H02K", "电机；", "DYNAMO-ELECTRIC MACHINES"},
	{"H02P", "电动机、发电机或机电变换器的控制或调节；控制变压器、电抗器或扼流圈", "CONTROL OR REGULATION OF ELECTRIC MOTORS, ELECTRIC GENERATORS OR DYNAMO-ELECTRIC CONVERTERS; CONTROLLING TRANSFORMERS, REACTORS OR CHOKE COILS"},
	{"H03F", "放大器", "AMPLIFIERS"},
	{"H03L", "电子振荡器或脉冲发生器的自动控制、起振、同步或稳定", "AUTOMATIC CONTROL, STARTING, SYNCHRONISATION, OR STABILISATION OF GENERATORS OF ELECTRONIC OSCILLATIONS OR PULSES"},
	{"H03M", "一般编码、译码或代码转换", "CODING, DECODING OR CODE CONVERSION, IN GENERAL"},
	{"H04B", "传输", "TRANSMISSION"},
	{"H04L", "数字信息的传输，例如电报通信", "TRANSMISSION OF DIGITAL INFORMATION, e.g. TELEGRAPHIC COMMUNICATION"},
	{"H04W", "无线通信网络", "WIRELESS COMMUNICATION NETWORKS"},
}

// ipcGroups: main groups and subgroups, "symbol|中文|English" per line (titles written for this generator).
const ipcGroups = `
A61B 5/00|用于诊断目的的测量；人的辨识|Measuring for diagnostic purposes; identification of persons
A61B 17/00|外科器械、装置或方法|Surgical instruments, devices or methods
A61B 17/34|套针；穿刺针|Trocars; puncturing needles
A61B 34/00|计算机辅助外科；外科用机械手或机器人|Computer-aided surgery; manipulators or robots for surgery
A61B 34/30|外科机器人|Surgical robots
A61F 2/00|可植入血管的滤器；假体|Filters implantable into blood vessels; prostheses
A61F 2/82|保持人体管状结构通畅的装置，例如支架|Devices providing patency to tubular structures of the body, e.g. stents
A61K 9/00|以特殊物理形状为特征的医药配制品|Medicinal preparations characterised by special physical form
A61K 9/20|丸剂、片剂|Pills, tablets, discs, rods
A61K 9/127|脂质体|Liposomes
A61K 31/00|含有机有效成分的医药配制品|Medicinal preparations containing organic active ingredients
A61K 31/506|含非稠合嘧啶环及其他杂环的化合物|Pyrimidines, not condensed, containing further heterocyclic rings
A61K 35/00|含有不确定结构的原料或其反应产物的医药配制品|Medicinal preparations containing materials or reaction products of undetermined constitution
A61K 35/17|淋巴细胞；T细胞；NK细胞|Lymphocytes; T-cells; NK cells
A61K 36/00|含有来自藻类、真菌或植物的不确定结构物质的医药配制品|Medicinal preparations of undetermined constitution from algae, fungi or plants
A61K 36/258|人参属|Panax (ginseng)
A61K 39/00|含有抗原或抗体的医药配制品|Medicinal preparations containing antigens or antibodies
A61K 39/395|抗体；免疫球蛋白；免疫血清|Antibodies; immunoglobulins; immune serum
A61M 25/00|导管；空心探针|Catheters; hollow probes
A61P 1/00|治疗消化道或消化系统疾病的药物|Drugs for disorders of the alimentary tract or the digestive system
A61P 1/16|治疗肝脏或胆囊疾病的药物|Drugs for liver or gallbladder disorders
A61P 3/00|治疗代谢疾病的药物|Drugs for disorders of the metabolism
A61P 3/10|治疗高血糖症的药物，例如抗糖尿病药|Drugs for hyperglycaemia, e.g. antidiabetics
A61P 9/00|治疗心血管系统疾病的药物|Drugs for disorders of the cardiovascular system
A61P 9/10|治疗缺血性或动脉粥样硬化疾病的药物|Drugs for ischaemic or atherosclerotic diseases
A61P 29/00|非中枢性止痛剂、退热药或抗炎剂|Non-central analgesic, antipyretic or anti-inflammatory agents
A61P 35/00|抗肿瘤药|Antineoplastic agents
B01J 23/00|含金属或金属氧化物的催化剂|Catalysts comprising metals or metal oxides or hydroxides
B01J 23/46|含铂族金属的催化剂|Catalysts comprising platinum group metals
B01J 23/755|含镍的催化剂|Catalysts comprising nickel
B01J 29/00|含分子筛的催化剂|Catalysts comprising molecular sieves
B01J 29/40|ZSM-5型分子筛催化剂|Catalysts of the pentasil type, e.g. ZSM-5
B01J 37/00|制备催化剂的一般方法|Processes, in general, for preparing catalysts
B01J 37/02|浸渍、涂覆或沉淀|Impregnation, coating or precipitation
B22F 10/00|由金属粉末增材制造工件或制品|Additive manufacturing of workpieces or articles from metallic powder
B22F 10/28|粉末床熔融，例如选区激光熔化|Powder bed fusion, e.g. selective laser melting
B23K 26/00|用激光束加工|Working by laser beam
B23K 26/342|激光熔覆；堆焊|Laser cladding; build-up welding
B23K 26/38|用激光束打孔或切割|Removing material by boring or cutting with a laser beam
B23Q 11/00|机床的冷却、润滑或保持清洁的附件|Accessories of machine tools for cooling, lubricating or keeping clean
B23Q 11/10|冷却或润滑装置|Arrangements for cooling or lubricating tools or work
B23Q 17/00|机床上的观测、指示或测量装置|Arrangements for observing, indicating or measuring on machine tools
B23Q 17/09|测量切削力或刀具状态的装置|Arrangements for measuring cutting pressure or cutting-tool condition
B25J 9/00|程序控制的机械手|Programme-controlled manipulators
B25J 9/16|程序控制|Programme controls
B25J 11/00|其他类目不包含的机械手|Manipulators not otherwise provided for
B25J 13/00|机械手的控制|Controls for manipulators
B25J 13/08|借助传感装置的控制|Controls by means of sensing devices
B25J 15/00|夹持头|Gripping heads
B25J 19/00|机械手的附件，例如监测或安全装置|Accessories for manipulators, e.g. monitoring or safety devices
B25J 19/02|传感装置|Sensing devices
B33Y 10/00|增材制造工艺|Processes of additive manufacturing
B33Y 30/00|增材制造设备|Apparatus for additive manufacturing
B60L 15/00|电动车辆推进控制的方法、电路或装置|Methods, circuits or devices for controlling the propulsion of electric vehicles
B60L 15/20|牵引电机转速控制|Controlling the traction-motor speed
B60L 53/00|电动车辆专用的电池充电方法|Methods of charging batteries specially adapted for electric vehicles
B60L 53/10|传导式充电|Conductive energy transfer
B60L 58/00|电动车辆电池的监控方法或电路|Monitoring or controlling batteries of electric vehicles
B60L 58/12|根据荷电状态|Responding to state of charge
B60W 30/00|与特定子系统控制无关的道路车辆驾驶控制的目的|Purposes of road vehicle drive control not related to a particular sub-unit
B60W 30/09|自动采取措施避免碰撞|Taking automatic action to avoid collision
B60W 40/00|不能直接测量的驾驶参数的估计或计算|Estimation or calculation of non-directly measurable driving parameters
B60W 40/02|与环境条件相关的|Related to ambient conditions
B60W 60/00|自动驾驶道路车辆的驾驶控制系统|Drive control systems for autonomous road vehicles
B63B 25/00|装货设施；以其为特征的船舶|Load-accommodating arrangements; vessels characterised thereby
B63B 25/16|液货舱的加热、冷却或绝热|Heated, cooled or insulated tanks for liquid cargo
B63B 35/00|适于专门用途的船舶或类似浮动结构|Vessels or floating structures adapted for specific purposes
B63B 71/00|船舶设计；性能预测|Designing vessels; predicting their performance
B63H 21/00|船舶推进动力装置的使用|Use of propulsion power plant or units on vessels
B63H 21/17|电力推进|Electric propulsion
B64C 1/00|机身；机身、机翼等共同的结构特征|Fuselages; constructional features common to fuselages, wings and the like
B64C 1/06|框架；桁条；纵梁|Frames; stringers; longerons
B64C 1/12|蒙皮壁板的构造或连接|Construction or attachment of skin panels
B64C 3/00|机翼|Wings
B64C 3/18|翼梁；翼肋|Spars; ribs
B64C 27/00|旋翼飞行器|Rotorcraft
B64C 27/08|具有两个或多个旋翼的直升机|Helicopters with two or more rotors
B64C 39/00|其他类目不包含的飞机|Aircraft not otherwise provided for
B64C 39/02|以特殊用途为特征的飞机|Aircraft characterised by special use
B64D 47/00|其他类目不包含的机载设备|Equipment not otherwise provided for
B64D 47/08|照相机的配置|Arrangements of cameras
B64F 5/00|飞机的设计、制造、装配、维护或修理|Designing, manufacturing, assembling, maintaining or repairing aircraft
B64F 5/10|飞机的制造或装配|Manufacturing or assembling aircraft
B64F 5/60|飞机部件或系统的测试或检查|Testing or inspecting aircraft components or systems
B64G 1/00|宇宙飞行器|Cosmonautic vehicles
B64G 1/10|人造卫星|Artificial satellites
B64G 1/22|宇宙飞行器的部件或专用设备|Parts of, or equipment for, cosmonautic vehicles
B64G 1/40|推进系统的配置|Arrangements or adaptations of propulsion systems
B64G 1/44|供电系统的配置|Arrangements or adaptations of power supply systems
B64G 1/66|仪器设备的配置|Arrangements or adaptations of apparatus or instruments
B65G 1/00|物品的贮存|Storing articles, individually or in orderly arrangement
B65G 1/137|带自动选取控制的仓储装置|Storage devices with automatic control means for selecting articles
B65G 47/00|与输送机配合的物品搬运装置|Article or material-handling devices associated with conveyors
B65G 47/90|拾取和放置物品的装置|Devices for picking up and depositing articles
B82Y 30/00|用于材料和表面科学的纳米技术|Nanotechnology for materials or surface science
C01B 32/00|碳；其化合物|Carbon; compounds thereof
C01B 32/184|石墨烯的制备|Preparation of graphene
C07K 16/00|免疫球蛋白，例如单克隆或多克隆抗体|Immunoglobulins, e.g. monoclonal or polyclonal antibodies
C07K 16/28|抗受体、细胞表面抗原或决定簇的抗体|Antibodies against receptors, cell surface antigens or determinants
C08G 18/00|异氰酸酯的聚合产物|Polymeric products of isocyanates or isothiocyanates
C08G 18/48|聚醚型聚氨酯|Polyethers
C08J 5/00|含高分子物质的制品或成形材料的制造|Manufacture of articles or shaped materials containing macromolecular substances
C08J 5/18|薄膜或片材的制造|Manufacture of films or sheets
C08J 5/24|预浸料的制造|Impregnating materials with prepolymers; prepregs
C08K 3/00|使用无机配料|Use of inorganic substances as compounding ingredients
C08K 3/04|碳|Carbon
C08L 23/00|单烯烃均聚物或共聚物的组合物|Compositions of homopolymers or copolymers of mono-olefins
C08L 23/12|聚丙烯|Polypropene
C09D 5/00|以物理性质或效果为特征的涂料组合物|Coating compositions characterised by their physical nature or the effects produced
C09D 5/08|防腐蚀涂料|Anti-corrosive paints
C09D 7/00|涂料组合物的特征；添加剂|Features of coating compositions; additives
C09D 7/61|无机添加剂|Inorganic additives
C09K 11/00|发光材料|Luminescent materials
C09K 11/06|含有机发光材料|Containing organic luminescent materials
C12N 5/00|未分化的人类、动物或植物细胞；其培养|Undifferentiated human, animal or plant cells; culture thereof
C12N 5/0783|T细胞；NK细胞|T cells; NK cells
C12N 15/00|突变或遗传工程；载体|Mutation or genetic engineering; vectors
C12N 15/113|调控基因表达的非编码核酸，例如反义寡核苷酸|Non-coding nucleic acids modulating gene expression, e.g. antisense oligonucleotides
C12N 15/86|病毒载体|Viral vectors
C12Q 1/00|包含酶、核酸或微生物的测定或检验方法|Measuring or testing processes involving enzymes, nucleic acids or microorganisms
C12Q 1/6883|用于遗传性疾病的核酸检测|Nucleic acid analysis for hereditary diseases
C12Q 1/6886|用于癌症的核酸检测|Nucleic acid analysis for cancer
C21D 8/00|变形结合热处理改变物理性能|Modifying physical properties by deformation combined with heat treatment
C21D 8/02|板材或带材生产中的|During manufacturing of plates or strips
C22C 19/00|镍基或钴基合金|Alloys based on nickel or cobalt
C22C 19/05|含铬的镍基合金|Nickel alloys with chromium
C22C 21/00|铝基合金|Alloys based on aluminium
C22C 21/02|含硅的铝合金|Aluminium alloys with silicon
C22C 38/00|铁基合金，例如合金钢|Ferrous alloys, e.g. steel alloys
C22C 38/02|含硅的|Containing silicon
C22F 1/00|用热处理或冷热加工改变有色金属或合金的物理结构|Changing the physical structure of non-ferrous metals or alloys by heat treatment or working
C22F 1/04|铝或铝基合金的|Of aluminium or aluminium-based alloys
F01D 5/00|叶片；叶片承载元件|Blades; blade-carrying members
F01D 5/18|空心叶片；叶片的冷却装置|Hollow blades; cooling means on blades
F01D 25/00|其他组不包含的部件、零件或附件|Component parts, details or accessories not provided for elsewhere
F01D 25/12|冷却|Cooling
F02C 7/00|燃气轮机装置的部件、零件或附件|Features, components, details or accessories of gas-turbine plants
F02C 7/18|装置的冷却|Cooling of plants
F02C 7/22|燃料供给系统|Fuel supply systems
F02C 9/00|燃气轮机装置的控制|Controlling gas-turbine plants
G01B 11/00|以采用光学方法为特征的计量设备|Measuring arrangements characterised by the use of optical techniques
G01B 11/24|测量轮廓或曲率|For measuring contours or curvatures
G01C 21/00|导航|Navigation
G01C 21/16|惯性导航|Inertial navigation
G01N 21/00|利用光学手段研究或分析材料|Investigating or analysing materials by optical means
G01N 21/64|荧光；磷光|Fluorescence; phosphorescence
G01N 29/00|利用超声波、声波或次声波研究或分析材料|Investigating or analysing materials by ultrasonic, sonic or infrasonic waves
G01N 29/04|固体的分析|Analysing solids
G01N 33/00|利用特殊方法研究或分析材料|Investigating or analysing materials by specific methods
G01N 33/53|免疫测定；生物特异性结合测定|Immunoassay; biospecific binding assay
G01N 33/574|用于癌症的免疫测定|Immunoassay for cancer
G01R 31/00|电性能测试装置；电故障探测装置|Arrangements for testing electric properties; locating electric faults
G01R 31/367|电池测试的软件，例如模型|Battery testing software, e.g. modelling
G01R 31/392|确定电池老化或劣化|Determining battery ageing or deterioration
G01S 17/00|采用除无线电波以外的电磁波的系统，例如激光雷达|Systems using electromagnetic waves other than radio waves, e.g. lidar
G01S 17/931|用于陆地车辆防撞的激光雷达系统|Lidar systems for anti-collision of land vehicles
G01S 19/00|卫星无线电信标定位系统|Satellite radio beacon positioning systems
G01S 19/42|确定位置|Determining position
G02B 6/00|光导|Light guides
G02B 6/12|集成光路型光波导|Light guides of the integrated circuit kind
G02B 6/42|光导与光电元件的耦合|Coupling light guides with opto-electronic elements
G03F 7/00|图纹面的照相制版工艺及其材料和设备|Photomechanical production of patterned surfaces; materials and apparatus therefor
G03F 7/004|感光材料|Photosensitive materials
G03F 7/20|曝光及其设备|Exposure; apparatus therefor
G05B 19/00|程序控制系统|Programme-control systems
G05B 19/404|数控中的补偿控制|Numerical control with compensation
G05B 19/418|全面工厂控制|Total factory control
G05D 1/00|运载工具的位置、航向、高度或姿态的控制|Control of position, course, altitude or attitude of vehicles
G05D 1/02|二维位置或航向的控制|Control of position or course in two dimensions
G06F 9/00|程序控制装置|Arrangements for program control
G06F 9/50|资源分配|Allocation of resources
G06F 11/00|错误检测；错误校正；监控|Error detection; error correction; monitoring
G06F 11/14|利用冗余进行错误检测或校正|Error detection or correction by redundancy in operation
G06F 16/00|信息检索；数据库结构；文件系统结构|Information retrieval; database structures; file system structures
G06F 16/22|索引；数据结构|Indexing; data structures therefor
G06F 16/27|数据库之间数据的复制、分布或同步|Replication, distribution or synchronisation of data between databases
G06F 16/332|查询表述|Query formulation
G06F 18/00|模式识别|Pattern recognition
G06F 18/24|分类技术|Classification techniques
G06F 21/00|防止未授权行为的安全装置|Security arrangements against unauthorised activity
G06F 21/62|防止通过平台访问数据|Protecting access to data via a platform
G06F 30/00|计算机辅助设计|Computer-aided design [CAD]
G06F 30/392|布图规划或布局|Floor-planning or layout
G06F 40/00|自然语言数据处理|Handling natural language data
G06F 40/295|命名实体识别|Named entity recognition
G06F 40/30|语义分析|Semantic analysis
G06N 3/00|基于生物学模型的计算机系统|Computing arrangements based on biological models
G06N 3/04|神经网络体系结构|Neural network architecture
G06N 3/08|学习方法|Learning methods
G06N 20/00|机器学习|Machine learning
G06Q 10/00|行政；管理|Administration; management
G06Q 10/04|预测或优化|Forecasting or optimisation
G06T 7/00|图像分析|Image analysis
G06T 7/0012|生物医学图像检测|Biomedical image inspection
G06V 10/00|图像或视频识别或理解|Arrangements for image or video recognition or understanding
G06V 10/82|利用神经网络的|Using neural networks
G06V 20/00|场景；场景特定元素|Scenes; scene-specific elements
G06V 20/56|车辆外部环境|Context of the image exterior to a vehicle
G06V 40/00|生物特征、人体相关模式的识别|Recognition of biometric or human-related patterns
G06V 40/16|人脸|Human faces
G08G 1/00|道路车辆的交通控制系统|Traffic control systems for road vehicles
G08G 1/16|防撞系统|Anti-collision systems
G10L 15/00|语音识别|Speech recognition
G10L 15/22|语音识别过程，例如人机对话|Speech recognition procedures, e.g. man-machine dialogue
G11C 16/00|可擦除可编程只读存储器|Erasable programmable read-only memories
G11C 16/04|使用可变阈值晶体管的|Using variable threshold transistors
H01L 21/00|半导体器件或其部件的制造或处理方法或设备|Processes or apparatus for the manufacture or treatment of semiconductor devices
H01L 21/02|半导体器件或其部件的制造或处理|Manufacture or treatment of semiconductor devices or of parts thereof
H01L 21/306|化学或电处理，例如电解腐蚀|Chemical or electrical treatment, e.g. electrolytic etching
H01L 21/56|封装，例如封装层、涂层|Encapsulations, e.g. encapsulation layers, coatings
H01L 21/66|制造或处理过程中的测试或测量|Testing or measuring during manufacture or treatment
H01L 21/67|制造或处理过程中处理半导体器件的专用设备|Apparatus for handling semiconductor devices during manufacture or treatment
H01L 23/00|半导体或其他固态器件的零部件|Details of semiconductor or other solid state devices
H01L 23/29|以材料为特征的封装|Encapsulations characterised by the material
H01L 23/31|以配置为特征的封装|Encapsulations characterised by the arrangement
H01L 23/367|便于冷却的器件结构|Cooling facilitated by shape of device
H01L 29/00|半导体器件及其零部件|Semiconductor devices and details thereof
H01L 29/06|以形状为特征的半导体本体|Semiconductor bodies characterised by their shape
H01L 29/16|以半导体材料为特征的半导体本体|Semiconductor bodies characterised by their material
H01L 29/78|绝缘栅场效应晶体管|Field-effect transistors with an insulated gate
H01M 4/00|电极|Electrodes
H01M 4/525|含镍、钴或铁的混合氧化物正极活性材料|Active materials of mixed oxides containing nickel, cobalt or iron
H01M 4/62|活性物质中非活性材料的选择，例如导电剂|Selection of inactive substances for active masses, e.g. conductive agents
H01M 10/00|二次电池；其制造|Secondary cells; manufacture thereof
H01M 10/0525|摇椅式电池，即锂离子电池|Rocking-chair batteries, i.e. lithium-ion batteries
H01M 10/0562|固体电解质|Solid electrolytes
H01M 10/613|冷却或保冷|Cooling or keeping cold
H01M 50/00|电化学电池非活性部件的结构或制造|Construction or manufacture of non-active parts of electrochemical cells
H01M 50/20|安装；支架；电池模组或电池包|Mountings; frames; racks, modules or packs
H02J 7/00|电池充电或去极化的电路装置|Circuit arrangements for charging or depolarising batteries
H02K 1/00|磁路零部件|Details of the magnetic circuit
H02K 1/27|带永磁体的转子铁芯|Rotor cores with permanent magnets
H02K 9/00|冷却或通风装置|Arrangements for cooling or ventilating
H02K 9/19|液体冷却|Cooling by liquid
H02P 21/00|电机的矢量控制|Control of electric machines by vector control
H02P 29/00|交直流电机通用的控制装置|Control arrangements for both AC and DC motors
H02P 29/60|电机温度的控制或确定|Controlling or determining the temperature of the motor
H03F 3/00|仅以放大元件为特征的放大器|Amplifiers characterised by their amplifying elements only
H03F 3/45|差分放大器|Differential amplifiers
H03L 7/00|频率或相位的自动控制；同步|Automatic control of frequency or phase; synchronisation
H03L 7/08|锁相环的细节|Details of the phase-locked loop
H03M 1/00|模/数或数/模转换|Analogue/digital or digital/analogue conversion
H03M 1/12|模/数转换器|Analogue/digital converters
H04B 7/00|无线电传输系统|Radio transmission systems
H04B 7/06|在发射站使用多个天线的分集系统|Diversity systems using several antennas at the transmitting station
H04B 10/00|光通信等非无线电电磁波传输系统|Transmission systems using electromagnetic waves other than radio waves, e.g. optical
H04B 10/25|光纤传输|Fibre transmission
H04B 10/50|光发射机|Optical transmitters
H04L 5/00|传输通道的多路复用|Arrangements affording multiple use of the transmission path
H04L 9/00|保密或安全通信装置；网络安全协议|Secret or secure communications; network security protocols
H04L 9/08|密钥分配或管理|Key distribution or management
H04L 9/32|检验用户身份或凭证的装置|Means for verifying the identity or authority of a user
H04L 41/00|网络维护、管理或运营|Maintenance, administration or management of networks
H04L 41/16|使用机器学习或人工智能的网络管理|Network management using machine learning or artificial intelligence
H04L 67/00|支持网络服务或应用的协议|Network arrangements or protocols supporting network services or applications
H04L 67/10|分布在网络节点上的应用协议|Protocols for applications distributed across network nodes
H04L 67/1097|网络中数据的分布式存储|Distributed storage of data in networks
H04W 24/00|监督、监控或测试装置|Supervisory, monitoring or testing arrangements
H04W 24/02|运行条件的优化|Optimising operational conditions
H04W 72/00|本地资源管理|Local resource management
H04W 72/04|无线资源分配|Wireless resource allocation
`

// IPCTitles returns the title of every section, class, subclass and group the generator uses, sorted by
// symbol.
func IPCTitles() []market.IPCTitle {
	out := make([]market.IPCTitle, 0, len(ipcOfficial)+300)
	for _, e := range ipcOfficial {
		level := market.IPCSubclass
		switch len(e.symbol) {
		case 1:
			level = market.IPCSection
		case 3:
			level = market.IPCClass
		}
		out = append(out, market.IPCTitle{Symbol: e.symbol, Level: level, TitleZH: e.zh, TitleEN: e.en})
	}
	for _, line := range strings.Split(strings.TrimSpace(ipcGroups), "\n") {
		f := strings.Split(line, "|")
		out = append(out, market.IPCTitle{Symbol: f[0], Level: market.IPCGroup, TitleZH: f[1], TitleEN: f[2]})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Symbol < out[j].Symbol })
	return out
}
